/**
 * Room audio shared by the phones of each room, reference-counted: opened by
 * the first leg that needs it (concurrent first legs share one opening),
 * closed when the last leg released it. Its mixer runs on the gateway's clock.
 */
import { createLogger } from '../logger.ts';
import type { MixerClock } from '../media/MixerClock.ts';
import type { GatewayService } from '../signaling/GatewayService.ts';
import { RoomAudio, type RoomAudioOptions } from './RoomAudio.ts';

const logger = createLogger('RoomAudioRegistry');

interface Entry {
  opening: Promise<RoomAudio>;
  refs: number;
}

export class RoomAudioRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #service: GatewayService;
  readonly #clock: MixerClock;
  readonly #opts: RoomAudioOptions;

  constructor(service: GatewayService, clock: MixerClock, opts: RoomAudioOptions) {
    this.#service = service;
    this.#clock = clock;
    this.#opts = opts;
    service.on('tapStream', (roomId, stream) => void this.#whenOpen(roomId, (audio) => audio.addStream(stream)));
    service.on(
      'tapEnded',
      (roomId, producerId) => void this.#whenOpen(roomId, (audio) => audio.removeStream(producerId)),
    );
    service.on('reconnected', () => {
      for (const [roomId] of this.#entries) {
        void this.#whenOpen(roomId, (audio) =>
          audio.retap().catch((err: unknown) => logger.warn({ err, roomId }, 're-tap after reconnect failed')),
        );
      }
    });
  }

  get size(): number {
    return this.#entries.size;
  }

  acquire(roomId: string): Promise<RoomAudio> {
    let entry = this.#entries.get(roomId);
    if (!entry) {
      const opening = RoomAudio.open(roomId, this.#service, this.#opts).then((audio) => {
        this.#clock.add(audio.mixer);
        return audio;
      });
      entry = { opening, refs: 0 };
      this.#entries.set(roomId, entry);
      const created = entry;
      opening.catch(() => {
        if (this.#entries.get(roomId) === created) this.#entries.delete(roomId);
      });
    }
    entry.refs += 1;
    return entry.opening;
  }

  release(roomId: string): void {
    const entry = this.#entries.get(roomId);
    if (!entry) return;
    entry.refs -= 1;
    if (entry.refs > 0) return;
    this.#entries.delete(roomId);
    entry.opening.then(
      (audio) => {
        this.#clock.remove(audio.mixer);
        return audio.close();
      },
      () => undefined,
    );
  }

  async closeAll(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.allSettled(
      entries.map(async (entry) => {
        const audio = await entry.opening;
        this.#clock.remove(audio.mixer);
        await audio.close();
      }),
    );
  }

  async #whenOpen(roomId: string, apply: (audio: RoomAudio) => unknown): Promise<void> {
    const entry = this.#entries.get(roomId);
    if (!entry) return;
    try {
      apply(await entry.opening);
    } catch {
      // Opening failed: the legs waiting for it end; nothing to apply.
    }
  }
}
