/**
 * Desk phones under /api/v1: the gateway's status for staff consoles, and an
 * admin's rotation of one phone's SIP password. The new password is shown
 * once (the store keeps only digest hashes); the gateway is told to resync
 * Kamailio's subscriber table.
 */

import { BeaconError, isSipTerminalKind, type LoudspeakerStatus } from '@beacon/protocol';
import { Router } from 'express';
import { auditedChange } from '../audit/auditedChange.ts';
import { randomSipPassword, sipHashes } from '../auth/sipDigest.ts';
import { createLogger } from '../logger.ts';
import { requireAccount } from '../rooms/permissions.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';
import { claimsOf } from './authRoutes.ts';

const logger = createLogger('api');

export function sipRouter(deps: { store: Store; sip: SipBridge }): Router {
  const { store, sip } = deps;
  const router = Router();

  // Every phone's contact address (IP and port) is in it: staff only, like the `sip:status` pushes.
  router.get('/sip/status', (_req, res) => {
    requireAccount(claimsOf(res), 'sip:status');
    res.json(sip.status());
  });

  // The village loudspeakers (应急广播) and whether each is registered with Kamailio now: same audience as the status.
  router.get('/sip/loudspeakers', async (_req, res) => {
    requireAccount(claimsOf(res), 'sip:status');
    const loudspeakers = (await store.terminals.list()).filter((t) => t.kind === 'loudspeaker');
    const body: LoudspeakerStatus[] = loudspeakers.map((t) => ({
      ...t,
      registered: t.extension !== null && sip.isRegistered(t.extension),
    }));
    res.json(body);
  });

  router.post('/terminals/:id/sip-credentials', async (req, res) => {
    const claims = claimsOf(res);
    if (claims.role !== 'admin')
      throw BeaconError.forbidden('只有管理员可以重置电话密码 / only an admin sets SIP passwords');
    const terminal = await store.terminals.get(req.params.id);
    if (!terminal) throw BeaconError.notFound('terminal');
    if (!isSipTerminalKind(terminal.kind) || terminal.extension === null) {
      throw BeaconError.badRequest(`terminal "${terminal.id}" is not a SIP phone with an extension`);
    }
    const username = terminal.extension;
    const password = randomSipPassword();
    // Never the password itself: the audit log is readable by more people than the phone's owner.
    await auditedChange(
      store,
      { actorId: claims.userId, role: claims.role },
      (tx) => tx.terminals.setSipCredentials(terminal.id, sipHashes(username, sip.realm, password)),
      () => ({ action: 'terminal.sip_credentials', target: terminal.id, detail: { extension: username } }),
    );
    sip.credentialsChanged();
    logger.info({ terminalId: terminal.id, extension: username, by: claims.username }, 'SIP password rotated');
    res.set('cache-control', 'no-store').json({ username, password, realm: sip.realm });
  });

  return router;
}
