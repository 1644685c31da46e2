/**
 * Operations endpoints: liveness and readiness (no sign-in: load balancers and
 * systemd ask them), Prometheus metrics (loopback or the scrape token).
 */
import type { MediaControl } from '@beacon/media-server';
import { Router } from 'express';
import type { BeaconMetrics } from '../metrics.ts';
import { type MetricsAccessOptions, requireMetricsAccess } from '../metricsAccess.ts';
import type { Store } from '../store/index.ts';
import type { TurnService } from '../turn/TurnService.ts';

export function opsRouter(deps: {
  store: Store;
  media: MediaControl;
  metrics: BeaconMetrics;
  metricsAccess: MetricsAccessOptions;
  /** BEACON_TURN=on: coturn must answer too (terminals behind NAT need it); null or absent when TURN is off. */
  turn?: TurnService | null;
}): Router {
  const router = Router();

  // Liveness: the event loop answers. Nothing else, so a slow dependency never gets the process restarted.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Readiness: can this node serve a conference right now? With TURN on, a node whose coturn is not answering
  // (still starting, restarting after a crash, or failed) is not: a terminal behind NAT would get no relay.
  router.get('/readyz', async (_req, res) => {
    const media = deps.media.ready && deps.media.counts().workersAlive > 0;
    const store = await deps.store.isReady();
    const turn = deps.turn ? deps.turn.answering : null;
    const ready = media && store && turn !== false;
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ok' : 'not_ready', media, store, ...(turn === null ? {} : { turn }) });
  });

  router.get('/metrics', requireMetricsAccess(deps.metricsAccess), async (_req, res) => {
    const { registry } = deps.metrics;
    res.type(registry.contentType).send(await registry.metrics());
  });

  return router;
}
