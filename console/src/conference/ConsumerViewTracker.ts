/**
 * Decides, per remote video consumer, which simulcast layer its on-screen
 * size needs and whether it is seen at all. Elements that show a consumer
 * register here; IntersectionObserver says whether each is visible (another
 * gallery page is not rendered at all, a filmstrip scrolled away does not
 * intersect), ResizeObserver says how wide it is. Changes are applied after a
 * short debounce through the delegate, which tells the server.
 */
export interface ConsumerViewDelegate {
  setLayer(consumerId: string, spatialLayer: number): void;
  setHidden(consumerId: string, hidden: boolean): void;
}

interface View {
  consumerId: string;
  /** The main (spotlight) view always wants the top layer. */
  main: boolean;
  visible: boolean;
  width: number;
}

interface Applied {
  addedAt: number;
  layer: number | null;
  hidden: boolean;
}

const DEBOUNCE_MS = 300;
/** A new consumer's tile gets this long to appear before it counts as hidden. */
const GRACE_MS = 1500;
export const TOP_LAYER = 2;

/** ≤ 320 CSS px wide → 0, ≤ 640 → 1, wider → 2. */
export function layerForWidth(width: number): number {
  if (width <= 320) return 0;
  if (width <= 640) return 1;
  return TOP_LAYER;
}

export class ConsumerViewTracker {
  readonly #delegate: ConsumerViewDelegate;
  readonly #views = new Map<Element, View>();
  readonly #consumers = new Map<string, Applied>();
  readonly #intersection: IntersectionObserver;
  readonly #resize: ResizeObserver;
  #maxLayer = TOP_LAYER;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(delegate: ConsumerViewDelegate) {
    this.#delegate = delegate;
    this.#intersection = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const view = this.#views.get(entry.target);
        if (view) view.visible = entry.isIntersecting;
      }
      this.#schedule();
    });
    this.#resize = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const view = this.#views.get(entry.target);
        if (view) view.width = entry.contentRect.width;
      }
      this.#schedule();
    });
  }

  /** A consumer was created (and resumed): track it from now on. */
  addConsumer(consumerId: string): void {
    this.#consumers.set(consumerId, { addedAt: Date.now(), layer: null, hidden: false });
    this.#schedule();
  }

  removeConsumer(consumerId: string): void {
    this.#consumers.delete(consumerId);
  }

  /** Every consumer is gone (a re-join); registered elements stay. */
  clearConsumers(): void {
    this.#consumers.clear();
  }

  /** `element` shows `consumerId`; call the returned function when it stops. */
  observe(element: Element, consumerId: string, main: boolean): () => void {
    this.#views.set(element, { consumerId, main, visible: false, width: element.getBoundingClientRect().width });
    this.#intersection.observe(element);
    this.#resize.observe(element);
    this.#schedule();
    return () => {
      this.#views.delete(element);
      this.#intersection.unobserve(element);
      this.#resize.unobserve(element);
      this.#schedule();
    };
  }

  /** The receive cap (`receive:settings`): never ask for more than this. */
  /** The layer last asked of the server for this consumer (its view's size, the receive cap); null before any. */
  requestedLayer(consumerId: string): number | null {
    return this.#consumers.get(consumerId)?.layer ?? null;
  }

  setMaxLayer(layer: number): void {
    this.#maxLayer = layer;
    for (const applied of this.#consumers.values()) applied.layer = null;
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#intersection.disconnect();
    this.#resize.disconnect();
    this.#views.clear();
    this.#consumers.clear();
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#apply(), DEBOUNCE_MS);
  }

  #apply(): void {
    const wanted = new Map<string, number>();
    for (const view of this.#views.values()) {
      if (!view.visible) continue;
      const layer = view.main ? TOP_LAYER : layerForWidth(view.width);
      wanted.set(view.consumerId, Math.max(wanted.get(view.consumerId) ?? 0, layer));
    }
    const now = Date.now();
    let recheck = false;
    for (const [consumerId, applied] of this.#consumers) {
      const layer = wanted.get(consumerId);
      const hidden = layer === undefined;
      if (hidden && !applied.hidden && now - applied.addedAt < GRACE_MS) {
        recheck = true;
        continue;
      }
      if (hidden !== applied.hidden) {
        applied.hidden = hidden;
        this.#delegate.setHidden(consumerId, hidden);
      }
      if (layer === undefined) continue;
      const capped = Math.min(layer, this.#maxLayer);
      if (capped !== applied.layer) {
        applied.layer = capped;
        this.#delegate.setLayer(consumerId, capped);
      }
    }
    if (recheck) this.#timer = setTimeout(() => this.#apply(), GRACE_MS);
  }
}
