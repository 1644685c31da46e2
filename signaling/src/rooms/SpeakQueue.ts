/** Speak requests (申请发言) in the order they were raised; one per peer. */
import type { SpeakRequest } from '@beacon/protocol';

export class SpeakQueue {
  readonly #requests = new Map<string, SpeakRequest>();

  /** Queues the peer; false when it is already waiting (its place is kept). */
  request(peerId: string, displayName: string, at = new Date()): boolean {
    if (this.#requests.has(peerId)) return false;
    this.#requests.set(peerId, { peerId, displayName, at: at.toISOString() });
    return true;
  }

  /** Removes the peer's request; false when it had none. */
  remove(peerId: string): boolean {
    return this.#requests.delete(peerId);
  }

  has(peerId: string): boolean {
    return this.#requests.has(peerId);
  }

  /** Oldest first (a Map keeps insertion order). */
  list(): SpeakRequest[] {
    return [...this.#requests.values()];
  }
}
