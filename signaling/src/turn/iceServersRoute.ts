/**
 * GET /api/v1/ice-servers (behind the bearer middleware): the caller's TURN
 * credentials, for a client that needs them outside a transport ack (a
 * console rebuilding its peer connection after a long outage). An empty list
 * when TURN is off or not running.
 */

import type { IceServersResponse } from '@beacon/protocol';
import { Router } from 'express';
import { claimsOf } from '../http/authRoutes.ts';
import type { TurnService } from './TurnService.ts';

export function iceServersRouter(turn: TurnService | null): Router {
  const router = Router();
  router.get('/ice-servers', (_req, res) => {
    const body: IceServersResponse = { iceServers: turn?.iceServersFor(claimsOf(res).userId) ?? [] };
    // Credentials: never from a cache.
    res.set('cache-control', 'no-store').json(body);
  });
  return router;
}
