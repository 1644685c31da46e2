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
