/**
 * Key frame requests to one camera channel, at most one per `minIntervalMs`.
 *
 * Every viewer that joins, resumes or loses the picture makes mediasoup ask
 * for a key frame, and a wall of viewers opening at once asks many times in a
 * second; a device answers each `IFameCmd` with an I-frame (several times a
 * P-frame's size), so the requests are coalesced: the first goes at once, any
 * further within the interval become one request at the interval's end
 * (dropping them would leave the last viewer waiting for the next GOP).
 */
import type { MediaControl, MediaControlEvents } from '@beacon/media-server';
import { createLogger } from '../logger.ts';

const logger = createLogger('gb28181');

export class KeyFrameRequests {
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #trailing: NodeJS.Timeout | null = null;
  #closed = false;
  /** Requests sent to the device (the rest were folded into them). */
  sent = 0;

  constructor(
    private readonly send: () => void,
    private readonly minIntervalMs = 2000,
  ) {}

  request(): void {
    if (this.#closed || this.#trailing) return;
    const wait = this.#lastSentAt + this.minIntervalMs - Date.now();
    if (wait <= 0) {
      this.#fire();
      return;
    }
    this.#trailing = setTimeout(() => {
      this.#trailing = null;
      this.#fire();
    }, wait);
    this.#trailing.unref();
  }

  close(): void {
    this.#closed = true;
    if (this.#trailing) clearTimeout(this.#trailing);
    this.#trailing = null;
  }

  #fire(): void {
    if (this.#closed) return;
    this.#lastSentAt = Date.now();
    this.sent += 1;
    this.send();
  }
}

/**
 * The media server's `keyframerequest` events for some producers (a camera's own and the meetings' copies),
 * turned into `send` calls at most one per `minIntervalMs` (KeyFrameRequests) while `active()` holds. A
 * device that ignores or refuses the request still sends its periodic key frames: the picture comes later.
 */
export class ProducerKeyFrameWatch {
  readonly #producerIds = new Set<string>();
  readonly #requests: KeyFrameRequests;
  readonly #listener = ({ producerId }: MediaControlEvents['keyframerequest'][0]) => {
    if (this.#producerIds.has(producerId) && this.#active()) this.#requests.request();
  };

  readonly #active: () => boolean;

  constructor(
    private readonly media: Pick<MediaControl, 'on' | 'off'>,
    opts: { send: () => Promise<unknown>; minIntervalMs?: number; active: () => boolean },
  ) {
    const send = () => {
      opts.send().catch((err: unknown) => logger.debug({ err }, 'key frame request not answered'));
    };
    this.#requests = new KeyFrameRequests(send, opts.minIntervalMs);
    this.#active = opts.active;
    media.on('keyframerequest', this.#listener);
  }

  /** Requests sent (asks within an interval are folded into them). */
  get sent(): number {
    return this.#requests.sent;
  }

  add(producerId: string): void {
    this.#producerIds.add(producerId);
  }

  close(): void {
    this.media.off('keyframerequest', this.#listener);
    this.#requests.close();
  }
}
