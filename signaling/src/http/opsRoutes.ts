/** Unauthenticated operations endpoints: liveness, readiness, Prometheus. */
import type { MediaControl } from '@beacon/media-server';
import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Store } from '../store/index.ts';

export function opsRouter(deps: { store: Store; media: MediaControl; metrics: Registry }): Router {
  const router = Router();

  // Liveness: the event loop answers. Nothing else, so a slow dependency never gets the process restarted.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Readiness: can this node serve a conference right now?
  router.get('/readyz', async (_req, res) => {
    const media = deps.media.ready && deps.media.counts().workersAlive > 0;
    const store = await deps.store.isReady();
    res.status(media && store ? 200 : 503).json({ status: media && store ? 'ok' : 'not_ready', media, store });
  });

  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });

  return router;
}
