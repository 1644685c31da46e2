import { setTimeout as delay } from 'node:timers/promises';
import { TypedEmitter } from '@beacon/common';
import type { types as ms } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { createLogger } from './logger.ts';
import { MediaError } from './MediaError.ts';
import type { MediaServerOptions } from './MediaServerOptions.ts';

const logger = createLogger('WorkerPool');

/** One live worker and the WebRtcServer it owns. */
export interface WorkerSlot {
  /** Stable position in the pool; a respawned worker keeps the index (and the port). */
  readonly index: number;
  readonly worker: ms.Worker;
  readonly webRtcServer: ms.WebRtcServer;
  /** Routers currently on this worker: the load measure for placing rooms. */
  routers: number;
}

export type WorkerPoolEvents = {
  /** Emitted synchronously when the worker dies, before any respawn: rooms on `index` must move. */
  workerdied: [{ index: number; pid: number; error: Error }];
  workerrespawned: [{ index: number; pid: number }];
};

export type WorkerPoolOptions = Pick<
  MediaServerOptions,
  'numWorkers' | 'listenIp' | 'announcedAddress' | 'rtcPortBase' | 'workerLogLevel' | 'respawnDeadWorkers'
>;

const RESPAWN_ATTEMPTS = 5;
const RESPAWN_BACKOFF_MS = 500;

/**
 * Starts and supervises the mediasoup workers. Places new rooms on the live
 * worker with the fewest routers, and replaces workers that die.
 */
export class WorkerPool extends TypedEmitter<WorkerPoolEvents> {
  readonly #options: WorkerPoolOptions;
  readonly #slots: (WorkerSlot | undefined)[];
  /** Respawns in flight; `pick()` waits for them when no worker is alive. */
  readonly #respawns = new Set<Promise<void>>();
  #closed = false;

  private constructor(options: WorkerPoolOptions) {
    super();
    this.#options = options;
    this.#slots = new Array(options.numWorkers).fill(undefined);
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.all(pool.#slots.map((_, index) => pool.#start(index)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    logger.info({ workers: options.numWorkers, rtcPortBase: options.rtcPortBase }, 'worker pool started');
    return pool;
  }

  get size(): number {
    return this.#slots.length;
  }

  get liveCount(): number {
    return this.liveSlots().length;
  }

  liveSlots(): WorkerSlot[] {
    return this.#slots.filter((slot): slot is WorkerSlot => slot !== undefined && !slot.worker.died);
  }

  /** The least-loaded live worker; waits for a respawn when every worker is dead. */
  async pick(): Promise<WorkerSlot> {
    for (;;) {
      if (this.#closed) throw new MediaError('invalid_state', 'worker pool is closed');
      const live = this.liveSlots();
      const best = live.reduce<WorkerSlot | undefined>(
        (a, b) => (a === undefined || b.routers < a.routers ? b : a),
        undefined,
      );
      if (best) return best;
      if (this.#respawns.size === 0) throw new MediaError('invalid_state', 'no live mediasoup worker');
      await Promise.race(this.#respawns);
    }
  }

  /** Closes every worker and resolves once their processes have exited. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.removeAllListeners();
    const exits = this.#slots.map((slot) => (slot ? closeWorker(slot.worker) : undefined));
    // A respawn in flight closes its own worker when it sees the pool closed.
    await Promise.all([...exits, ...this.#respawns]);
  }

  async #start(index: number): Promise<void> {
    const worker = await mediasoup.createWorker({ logLevel: this.#options.workerLogLevel, appData: { index } });
    try {
      const port = this.#options.rtcPortBase + index;
      const { listenIp: ip, announcedAddress } = this.#options;
      const webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ip, announcedAddress, port },
          { protocol: 'tcp', ip, announcedAddress, port },
        ],
      });
      const slot: WorkerSlot = { index, worker, webRtcServer, routers: 0 };
      worker.observer.on('newrouter', (router) => {
        slot.routers += 1;
        router.observer.once('close', () => {
          slot.routers -= 1;
        });
      });
      worker.once('died', (error) => this.#onDied(slot, error));
      this.#slots[index] = slot;
      logger.debug({ index, pid: worker.pid, port }, 'worker started');
    } catch (error) {
      worker.close();
      throw error;
    }
  }

  #onDied(slot: WorkerSlot, error: Error): void {
    logger.error({ index: slot.index, pid: slot.worker.pid, err: error }, 'mediasoup worker died');
    this.#slots[slot.index] = undefined;
    if (this.#options.respawnDeadWorkers && !this.#closed) {
      const respawn = this.#respawn(slot.index).finally(() => this.#respawns.delete(respawn));
      this.#respawns.add(respawn);
    }
    this.safeEmit('workerdied', { index: slot.index, pid: slot.worker.pid, error });
  }

  async #respawn(index: number): Promise<void> {
    for (let attempt = 1; attempt <= RESPAWN_ATTEMPTS && !this.#closed; attempt++) {
      try {
        await this.#start(index);
        const slot = this.#slots[index];
        if (!slot) return;
        if (this.#closed) {
          await closeWorker(slot.worker);
          return;
        }
        logger.info({ index, pid: slot.worker.pid }, 'worker respawned');
        this.safeEmit('workerrespawned', { index, pid: slot.worker.pid });
        return;
      } catch (error) {
        // The kernel may hold the dead worker's port for a moment: back off and retry.
        logger.warn({ index, attempt, err: error }, 'worker respawn failed');
        await delay(RESPAWN_BACKOFF_MS * attempt);
      }
    }
    logger.error({ index }, 'worker not respawned; the pool runs with fewer workers');
  }
}

function closeWorker(worker: ms.Worker): Promise<void> {
  if (worker.subprocessClosed) return Promise.resolve();
  const exited = new Promise<void>((resolve) => worker.once('subprocessclose', resolve));
  worker.close();
  return exited;
}
