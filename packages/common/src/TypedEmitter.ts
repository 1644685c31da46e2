import { EventEmitter } from 'node:events';
import { createLogger } from './logger.ts';

const logger = createLogger('common', 'TypedEmitter');

type Listener<Args extends unknown[]> = (...args: Args) => void;

/**
 * An event emitter whose events are declared as tuples, as in mediasoup:
 * `{ workerdied: [{ index: number }] }`.
 *
 * `safeEmit` calls each listener on its own so a throwing listener is logged
 * and neither crashes the process nor starves the listeners after it.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Signaling, metrics and tests may all listen; the default cap of 10 is noise here.
    this.#emitter.setMaxListeners(100);
  }

  on<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    this.#emitter.on(event, listener as Listener<unknown[]>);
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    this.#emitter.once(event, listener as Listener<unknown[]>);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    this.#emitter.off(event, listener as Listener<unknown[]>);
    return this;
  }

  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }

  protected safeEmit<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    // rawListeners keeps `once` wrappers, so calling them still unregisters them.
    for (const listener of this.#emitter.rawListeners(event)) {
      try {
        (listener as Listener<unknown[]>)(...args);
      } catch (error) {
        logger.error({ err: error, event }, 'event listener threw');
      }
    }
  }

  protected removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }
}
