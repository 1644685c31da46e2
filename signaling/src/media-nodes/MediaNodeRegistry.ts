/**
 * Which media nodes are alive, where they are and how loaded: fed by the
 * nodes' heartbeats (every 2 s), asked where to place a participant.
 *
 * `MediaNodeRegistry` is the interface (async, so a Redis-backed registry
 * shared by several signaling processes can implement it later);
 * `InMemoryMediaNodeRegistry` is the single-signaling implementation.
 *
 * A node is dead after `deadAfterMs` without a heartbeat (default 6 s: the
 * last beat is at most 2 s before a crash and the sweep runs every second,
 * so a dead node is declared within 10 s of dying). A heartbeat with a new
 * `bootId` means the process restarted and lost its rooms: the old
 * incarnation is declared dead at once.
 */

import { TypedEmitter } from '@beacon/common';
import type { NodeHeartbeat, NodeLoad } from '@beacon/media-server';
import { createLogger } from '../logger.ts';

const logger = createLogger('MediaNodeRegistry');

export interface MediaNodeRecord {
  nodeId: string;
  bootId: string;
  region: string;
  address: string;
  load: NodeLoad;
  /** Local clock (ms) of the last heartbeat. */
  lastSeenAt: number;
}

export type MediaNodeRegistryEvents = {
  /** First heartbeat of a node (or of a restarted one). */
  nodeup: [MediaNodeRecord];
  /** Missed heartbeats or a restart: every room object on it is gone. */
  nodedead: [{ nodeId: string; bootId: string; reason: string }];
};

export interface MediaNodeRegistry {
  heartbeat(beat: NodeHeartbeat): Promise<void>;
  alive(): Promise<MediaNodeRecord[]>;
  /** The node for a new participant: in `region` when one is alive there, else anywhere; least loaded first. */
  pick(region?: string): Promise<MediaNodeRecord | undefined>;
  on<K extends keyof MediaNodeRegistryEvents & string>(
    event: K,
    listener: (...args: MediaNodeRegistryEvents[K]) => void,
  ): this;
  off<K extends keyof MediaNodeRegistryEvents & string>(
    event: K,
    listener: (...args: MediaNodeRegistryEvents[K]) => void,
  ): this;
  close(): void;
}

export interface InMemoryMediaNodeRegistryOptions {
  /** Default 6000. */
  deadAfterMs?: number;
  /** How often silence is checked. Default 1000. */
  sweepIntervalMs?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
}

export class InMemoryMediaNodeRegistry extends TypedEmitter<MediaNodeRegistryEvents> implements MediaNodeRegistry {
  readonly #nodes = new Map<string, MediaNodeRecord>();
  readonly #deadAfterMs: number;
  readonly #now: () => number;
  readonly #sweepTimer: NodeJS.Timeout;

  constructor(opts: InMemoryMediaNodeRegistryOptions = {}) {
    super();
    this.#deadAfterMs = opts.deadAfterMs ?? 6_000;
    this.#now = opts.now ?? Date.now;
    this.#sweepTimer = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? 1_000);
    this.#sweepTimer.unref();
  }

  async heartbeat(beat: NodeHeartbeat): Promise<void> {
    const known = this.#nodes.get(beat.nodeId);
    if (known && known.bootId !== beat.bootId) this.#declareDead(known, 'restarted');
    const record: MediaNodeRecord = {
      nodeId: beat.nodeId,
      bootId: beat.bootId,
      region: beat.region,
      address: beat.address,
      load: beat.load,
      lastSeenAt: this.#now(),
    };
    this.#nodes.set(beat.nodeId, record);
    if (!known || known.bootId !== beat.bootId) {
      logger.info({ nodeId: beat.nodeId, region: beat.region, address: beat.address }, 'media node up');
      this.safeEmit('nodeup', record);
    }
  }

  async alive(): Promise<MediaNodeRecord[]> {
    return [...this.#nodes.values()];
  }

  async pick(region?: string): Promise<MediaNodeRecord | undefined> {
    const usable = [...this.#nodes.values()].filter((node) => node.load.workersAlive > 0);
    const local = usable.filter((node) => node.region === region);
    return (local.length > 0 ? local : usable).sort(byLoad)[0];
  }

  /** Declares silent nodes dead; runs on its own timer, public for tests with a fake clock. */
  sweep(): void {
    const now = this.#now();
    for (const node of [...this.#nodes.values()]) {
      const silentMs = now - node.lastSeenAt;
      if (silentMs > this.#deadAfterMs) this.#declareDead(node, `no heartbeat for ${silentMs} ms`);
    }
  }

  close(): void {
    clearInterval(this.#sweepTimer);
    this.removeAllListeners();
  }

  #declareDead(node: MediaNodeRecord, reason: string): void {
    if (this.#nodes.get(node.nodeId) === node) this.#nodes.delete(node.nodeId);
    logger.warn({ nodeId: node.nodeId, reason }, 'media node dead');
    this.safeEmit('nodedead', { nodeId: node.nodeId, bootId: node.bootId, reason });
  }
}

/**
 * Load order: consumers per live worker (what costs a media node CPU), then
 * measured CPU, then node id for a stable choice.
 */
function byLoad(a: MediaNodeRecord, b: MediaNodeRecord): number {
  const perWorker = (node: MediaNodeRecord) => node.load.consumers / Math.max(1, node.load.workersAlive);
  return perWorker(a) - perWorker(b) || a.load.cpuPercent - b.load.cpuPercent || a.nodeId.localeCompare(b.nodeId);
}
