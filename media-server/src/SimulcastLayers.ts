/**
 * Drives one simulcast video consumer's preferred layers from its LayerPolicy:
 * feeds it the consumer's `score` events, re-evaluates on a timer while the
 * last score still holds (mediasoup reports scores only when they change),
 * and applies the outcome with `setPreferredLayers`.
 */
import type { types as ms } from 'mediasoup';
import { LayerPolicy } from './LayerPolicy.ts';
import { createLogger } from './logger.ts';
import type { ConsumerLayers } from './MediaControlTypes.ts';

const logger = createLogger('SimulcastLayers');

export class SimulcastLayers {
  readonly #consumer: ms.Consumer;
  readonly #policy: LayerPolicy;
  readonly #now: () => number;
  /** Temporal cap of the receiver; applies only while we forward its spatial cap. */
  #temporalCap: number | undefined;
  #applied: { spatialLayer: number; temporalLayer: number | undefined } | null = null;
  /** Highest spatial layer whose full frame rate fits the receiver's link budget (LinkBudgets); null: no limit. */
  #budgetLimit: number | null = null;
  #timer: NodeJS.Timeout | undefined;

  private constructor(consumer: ms.Consumer, maxLayer: number, now: () => number) {
    this.#consumer = consumer;
    this.#policy = new LayerPolicy(maxLayer);
    this.#now = now;
    consumer.on('score', ({ score }) =>
      this.#applyLogged(this.#policy.onScore(score, this.#now(), consumer.currentLayers?.spatialLayer)),
    );
    consumer.observer.once('close', () => clearTimeout(this.#timer));
  }

  /**
   * A controller for simulcast video consumers; null for the rest (audio,
   * single-stream video). `maxLayer`: the producer's top encoding index.
   */
  static attach(consumer: ms.Consumer, maxLayer: number, now: () => number = Date.now): SimulcastLayers | null {
    if (consumer.kind !== 'video' || consumer.type !== 'simulcast') return null;
    return new SimulcastLayers(consumer, maxLayer, now);
  }

  /**
   * Under a link budget mediasoup would rather send a larger layer at a
   * quarter of its frame rate than a smaller one at full rate; the budget's
   * owner limits the layer instead, to one whose full rate fits.
   */
  async setBudgetLimit(spatialLayer: number | null): Promise<void> {
    if (spatialLayer === this.#budgetLimit) return;
    this.#budgetLimit = spatialLayer;
    await this.#apply(this.#policy.preferred);
  }

  /** The spatial layer the receiver asked for (its tile size), whatever the link allows. */
  get cap(): number {
    return this.#policy.cap;
  }

  /** The receiver's cap (tile size, weak-link setting). */
  async setCap(layers: ConsumerLayers): Promise<void> {
    this.#temporalCap = layers.temporalLayer;
    const preferred = this.#policy.setCap(layers.spatialLayer);
    // A receive budget (LinkBudgets) is shared out by priority: the main view (top cap) gets its
    // layers first, small gallery tiles last, so on a weak link they are the ones left without video.
    const priority = 1 + this.#policy.cap;
    if (priority !== this.#consumer.priority && !this.#consumer.closed) {
      await this.#consumer.setPriority(priority).catch((error: unknown) => {
        if (!this.#consumer.closed) throw error;
      });
    }
    await this.#apply(preferred);
  }

  async #apply(policyLayer: number): Promise<void> {
    this.#schedule();
    const spatialLayer = this.#budgetLimit === null ? policyLayer : Math.min(policyLayer, this.#budgetLimit);
    // Below the receiver's spatial cap its temporal cap means nothing: take every frame rate.
    const temporalLayer = spatialLayer === this.#policy.cap ? this.#temporalCap : undefined;
    if (this.#applied?.spatialLayer === spatialLayer && this.#applied.temporalLayer === temporalLayer) return;
    if (this.#consumer.closed) return;
    this.#applied = { spatialLayer, temporalLayer };
    logger.debug(
      { consumerId: this.#consumer.id, spatialLayer, temporalLayer, lossLimit: this.#policy.lossLimit },
      'preferred layers',
    );
    try {
      await this.#consumer.setPreferredLayers(
        temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer },
      );
    } catch (error) {
      // Closed meanwhile (peer left): nothing left to adjust.
      if (!this.#consumer.closed) throw error;
    }
  }

  /** For event and timer callbacks, which have no caller to reject to. */
  #applyLogged(spatialLayer: number): void {
    this.#apply(spatialLayer).catch((error: unknown) => {
      logger.warn({ consumerId: this.#consumer.id, err: error }, 'setting preferred layers failed');
    });
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const at = this.#policy.nextEvaluationAt();
    if (at === null || this.#consumer.closed) return;
    this.#timer = setTimeout(
      () => this.#applyLogged(this.#policy.tick(this.#now(), this.#consumer.currentLayers?.spatialLayer)),
      Math.max(0, at - this.#now()),
    );
    // A pending layer change must not keep the process alive on shutdown.
    this.#timer.unref();
  }
}
