/**
 * Serves the built console (a single-page app): files as they are, and
 * index.html for any other GET outside /api and /socket.io so client-side
 * routes survive a reload.
 *
 * A township opens the console over a WAN of a few hundred kbit/s: the first
 * screen's scripts are about a megabyte as built, half a minute on such a
 * link. They go out compressed (a fifth of that), and the hashed files under
 * assets/ are cached for a year (a new build has new names), so a township
 * downloads them once; index.html is always revalidated so a new build is
 * picked up at the next load.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import compression from 'compression';
import express, { Router } from 'express';

const NOT_BUILT =
  'Beacon console is not built. Run `npm run build -w console`, then restart (the API is up under /api/v1).\n';

/** Vite names every file under assets/ by its content hash: it never changes under the same name. */
const HASHED_ASSETS = `${path.sep}assets${path.sep}`;

export function consoleRouter(consoleDist: string): Router {
  const router = Router();
  const index = path.resolve(consoleDist, 'index.html');
  if (!existsSync(consoleDist)) {
    router.get('/', (_req, res) => {
      res.type('text/plain').send(NOT_BUILT);
    });
    return router;
  }
  // Default filter: text, scripts, styles, JSON, SVG; not images or media, which are compressed already.
  router.use(compression());
  router.use(
    express.static(consoleDist, {
      index: false,
      fallthrough: true,
      setHeaders: (res, file) => {
        const hashed = file.startsWith(path.resolve(consoleDist) + HASHED_ASSETS);
        res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  router.get('/{*path}', (req, res, next) => {
    if (req.path.startsWith('/api/') || req.path.startsWith('/socket.io/')) {
      next();
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index, (err) => {
      if (err) next(err);
    });
  });
  return router;
}
