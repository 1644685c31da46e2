/**
 * Which signaling client created which peers on this media node, so that the
 * peers of a signaling node that vanished (crash, kill -9) do not live on
 * here for ever: their transports, producers and consumers would hold ports
 * and CPU, and nobody would close them — a room moved to another signaling
 * node gets new peer ids. A client that comes back within the grace period
 * (a network blip; RemoteMediaControl reconnects with the same client id)
 * keeps everything. Rooms left without peers after the clean-up are closed.
 */
import { createLogger } from '../logger.ts';
import type { MediaServer } from '../MediaServer.ts';

const logger = createLogger('ClientPeers');

export interface ClientPeersOptions {
  /** How long a disconnected client's peers are kept for its return. Default 15000 ms. */
  graceMs?: number;
}

export class ClientPeers {
  readonly #media: MediaServer;
  readonly #graceMs: number;
  /** client id → room id → peer ids */
  readonly #peers = new Map<string, Map<string, Set<string>>>();
  readonly #sockets = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(media: MediaServer, opts: ClientPeersOptions = {}) {
    this.#media = media;
    this.#graceMs = opts.graceMs ?? 15_000;
  }

  connected(clientId: string): void {
    this.#sockets.set(clientId, (this.#sockets.get(clientId) ?? 0) + 1);
    const timer = this.#timers.get(clientId);
    if (timer) {
      clearTimeout(timer);
      this.#timers.delete(clientId);
      logger.info({ clientId }, 'signaling client back within the grace period; its peers stay');
    }
  }

  disconnected(clientId: string): void {
    const left = (this.#sockets.get(clientId) ?? 1) - 1;
    if (left > 0) {
      this.#sockets.set(clientId, left);
      return;
    }
    this.#sockets.delete(clientId);
    if (!this.#peers.has(clientId)) return;
    const timer = setTimeout(() => this.#expire(clientId), this.#graceMs);
    timer.unref();
    this.#timers.set(clientId, timer);
  }

  /** A control call touched this peer (created it, or works on it). */
  touched(clientId: string, roomId: string, peerId: string): void {
    let rooms = this.#peers.get(clientId);
    if (!rooms) {
      rooms = new Map();
      this.#peers.set(clientId, rooms);
    }
    let peers = rooms.get(roomId);
    if (!peers) {
      peers = new Set();
      rooms.set(roomId, peers);
    }
    peers.add(peerId);
  }

  /** The client closed the peer itself. */
  closed(clientId: string, roomId: string, peerId: string): void {
    this.#peers.get(clientId)?.get(roomId)?.delete(peerId);
  }

  /** Peers currently attributed to `clientId` (for tests and logs). */
  count(clientId: string): number {
    let total = 0;
    for (const peers of this.#peers.get(clientId)?.values() ?? []) total += peers.size;
    return total;
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #expire(clientId: string): void {
    this.#timers.delete(clientId);
    const rooms = this.#peers.get(clientId);
    this.#peers.delete(clientId);
    if (!rooms) return;
    let closed = 0;
    for (const [roomId, peers] of rooms) {
      if (!this.#media.hasRoom(roomId)) continue;
      for (const peerId of peers) {
        this.#media.closePeer(roomId, peerId);
        closed += 1;
      }
      // Close the room only if it is now empty and no other client works in it (it may pipe through it).
      const othersUseIt = [...this.#peers.values()].some((other) => other.has(roomId));
      if (!othersUseIt && this.#media.localRoom(roomId).counts().peers === 0) this.#media.closeRoom(roomId);
    }
    logger.warn({ clientId, peers: closed }, 'signaling client gone: closed the peers it left behind');
  }
}
