/**
 * SMS under /api/v1:
 *
 * - `GET /warnings/:id/sms`: a warning's SMS recipients (the board's SMS
 *   column in detail). Staff see all; a township or department its own.
 * - `GET /sms/kannel/dlr` and `/sms/kannel/mo`: Kannel's delivery reports and
 *   the phones' replies. Mounted before the bearer check (Kannel has no
 *   token): a report's URL is signed for its recipient and attempt, the reply
 *   URL carries the callback key; anything else is `forbidden` and changes
 *   nothing. They answer with an empty body, so smsbox never texts a phone back.
 */
import { BeaconError } from '@beacon/protocol';
import { Router } from 'express';
import { z } from 'zod';
import { addresseeOf, sameAddressee } from '../command/addressees.ts';
import type { CommandRoom } from '../command/CommandRoom.ts';
import { isStaff, unitOf } from '../command/staff.ts';
import type { SmsService } from '../sms/SmsService.ts';
import { decodeKannelText } from '../sms/smsReply.ts';
import type { Store } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';
import { claimsOf } from './authRoutes.ts';

const reportQuery = z.object({
  r: z.string().uuid(),
  n: z.coerce.number().int().min(1).max(1_000_000),
  s: z.string().regex(/^[0-9a-f]{32}$/),
  type: z.coerce.number().int().min(0).max(255),
  smsc: z.string().max(500).default(''),
});
const replyQuery = z.object({
  k: z.string().min(1).max(200),
  from: z.string().trim().min(1).max(32),
  charset: z.string().max(32).default('UTF-8'),
  hex: z
    .string()
    .max(2000)
    .regex(/^([0-9a-fA-F]{2})*$/),
});

export function kannelCallbackRouter(sms: SmsService): Router {
  const router = Router();
  router.get('/dlr', async (req, res) => {
    const q = parseOrBadRequest(reportQuery, req.query);
    if (!sms.verifyReport(q.r, q.n, q.s)) throw BeaconError.forbidden('bad delivery report signature');
    await sms.alerts?.deliveryReport({ recipientId: q.r, attempt: q.n, type: q.type, smsc: q.smsc });
    res.status(200).type('text/plain').send('');
  });
  router.get('/mo', async (req, res) => {
    // The key first: without it, nothing about the request is looked at (not even whether it parses).
    const key = typeof req.query.k === 'string' ? req.query.k : '';
    if (!sms.verifyReplyKey(key)) throw BeaconError.forbidden('bad reply key');
    const q = parseOrBadRequest(replyQuery, req.query);
    const reply = { from: q.from, text: decodeKannelText(q.hex, q.charset) };
    // A warning open for the number takes the reply first; otherwise it may confirm a meeting notice.
    const warning = await sms.alerts?.reply(reply);
    if (!warning?.acked) await sms.meetings?.reply(reply);
    res.status(200).type('text/plain').send('');
  });
  return router;
}

export function smsRouter(deps: { store: Store; command: CommandRoom }): Router {
  const router = Router();
  router.get('/warnings/:id/sms', async (req, res) => {
    const claims = claimsOf(res);
    // The board's rules: staff see all lines, a unit only its own (and a warning not issued to it is not found).
    const board = await deps.command.warnings.board(claims, req.params.id);
    const recipients = await deps.store.sms.list(req.params.id);
    if (isStaff(claims)) {
      res.json(recipients);
      return;
    }
    const own = unitOf(claims);
    if (!own || board.length === 0) throw BeaconError.notFound('warning');
    res.json(recipients.filter((r) => sameAddressee(addresseeOf(r), own)));
  });
  return router;
}
