/**
 * A queue of voice prompts cut into 20 ms frames. Each play() promise
 * settles exactly once: true when its last frame has been handed out,
 * false when stop() drops it.
 */
import { FRAME_SAMPLES } from './audioFrame.ts';

interface QueuedPrompt {
  pcm: Int16Array;
  offset: number;
  resolve: (completed: boolean) => void;
}

export class PromptPlayer {
  readonly #queue: QueuedPrompt[] = [];
  readonly #tail = new Int16Array(FRAME_SAMPLES);

  get playing(): boolean {
    return this.#queue.length > 0;
  }

  play(pcm: Int16Array): Promise<boolean> {
    if (pcm.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => this.#queue.push({ pcm, offset: 0, resolve }));
  }

  /** The next frame of the current prompt, or null when none is queued. Valid until the next call. */
  nextFrame(): Int16Array | null {
    const head = this.#queue[0];
    if (head === undefined) return null;
    const { pcm, offset } = head;
    let frame: Int16Array;
    if (offset + FRAME_SAMPLES <= pcm.length) {
      frame = pcm.subarray(offset, offset + FRAME_SAMPLES);
    } else {
      // The last partial frame is padded with silence.
      this.#tail.fill(0);
      this.#tail.set(pcm.subarray(offset));
      frame = this.#tail;
    }
    head.offset += FRAME_SAMPLES;
    if (head.offset >= pcm.length) {
      this.#queue.shift();
      head.resolve(true);
    }
    return frame;
  }

  stop(): void {
    for (const prompt of this.#queue.splice(0)) prompt.resolve(false);
  }
}
