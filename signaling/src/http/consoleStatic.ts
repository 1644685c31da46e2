/**
 * Serves the built console (a single-page app): files as they are, and
 * index.html for any other GET outside /api and /socket.io so client-side
 * routes survive a reload.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

const NOT_BUILT =
  'Beacon console is not built. Run `npm run build -w console`, then restart (the API is up under /api/v1).\n';

export function consoleRouter(consoleDist: string): Router {
  const router = Router();
  const index = path.resolve(consoleDist, 'index.html');
  if (!existsSync(consoleDist)) {
    router.get('/', (_req, res) => {
      res.type('text/plain').send(NOT_BUILT);
    });
    return router;
  }
  router.use(express.static(consoleDist, { index: false, fallthrough: true }));
  router.get('/{*path}', (req, res, next) => {
    if (req.path.startsWith('/api/') || req.path.startsWith('/socket.io/')) {
      next();
      return;
    }
    res.sendFile(index, (err) => {
      if (err) next(err);
    });
  });
  return router;
}
