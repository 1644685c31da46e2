/**
 * Duty (值班值守) under /api/v1/duty: the roster per month and slot, an XLSX
 * month import, who is on duty now and next, the duty log and shift
 * handovers. The command room's staff read; admins and duty officers edit
 * the roster; staff write the log and hand over.
 *
 *   GET  /duty/now                                     who is on duty now and next
 *   GET  /duty/people                                  who may be put on the roster
 *   GET  /duty/roster?month=YYYY-MM                    the month's filled slots
 *   PUT  /duty/roster/:day/:shift                      set (or clear) a slot
 *   POST /duty/roster/import?month=YYYY-MM[&dryRun=true]   XLSX body
 *   GET  /duty/log?limit=        POST /duty/log
 *   GET  /duty/handovers?limit=  GET /duty/handovers/open  GET /duty/handovers/:id
 *   POST /duty/handovers         POST /duty/handovers/:id/hand-over   POST /duty/handovers/:id/accept
 *   GET  /duty/calls                                   calls to the duty number ringing for me now
 */
import {
  acceptHandoverSchema,
  dutyDaySchema,
  dutyLogInputSchema,
  dutyLogQuerySchema,
  dutyShiftKeySchema,
  handOverSchema,
  handoverListQuerySchema,
  type RosterImportRefusal,
  rosterImportQuerySchema,
  rosterMonthQuerySchema,
  rosterSlotSchema,
} from '@beacon/protocol';
import express, { type Response, Router } from 'express';
import type { AuthClaims } from '../auth/tokens.ts';
import type { CommandRoom } from '../command/CommandRoom.ts';
import { RosterImportError } from '../duty/RosterDesk.ts';
import { type AccountAction, requireAccount } from '../rooms/permissions.ts';
import { parseOrBadRequest } from '../validation.ts';
import { claimsOf } from './authRoutes.ts';

const XLSX_TYPES = ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'];
/** A month's roster is a few kB; 2 MB leaves room for formatting and stops an oversized upload early. */
const XLSX_BODY_LIMIT = '2mb';

function may(res: Response, action: AccountAction): AuthClaims {
  const claims = claimsOf(res);
  requireAccount(claims, action);
  return claims;
}

export function dutyRouter(deps: { command: CommandRoom }): Router {
  const { duty } = deps.command;
  const router = Router();

  router.get('/duty/now', async (_req, res) => {
    may(res, 'duty:read');
    res.json(await duty.roster.now());
  });
  router.get('/duty/calls', (_req, res) => {
    const claims = may(res, 'duty:read');
    res.json(deps.command.dutyCalls.ringingFor(claims.userId));
  });
  router.get('/duty/people', async (_req, res) => {
    may(res, 'duty:read');
    res.json(await duty.people());
  });

  router.get('/duty/roster', async (req, res) => {
    const { month } = parseOrBadRequest(rosterMonthQuerySchema, req.query);
    may(res, 'duty:read');
    res.json(await duty.roster.month(month));
  });
  router.put('/duty/roster/:day/:shift', async (req, res) => {
    const day = parseOrBadRequest(dutyDaySchema, req.params.day, 'day');
    const shift = parseOrBadRequest(dutyShiftKeySchema, req.params.shift, 'shift');
    const input = parseOrBadRequest(rosterSlotSchema, req.body);
    const claims = may(res, 'duty:roster');
    res.json({ entry: await duty.roster.set(claims, day, shift, input) });
  });
  router.post('/duty/roster/import', express.raw({ type: XLSX_TYPES, limit: XLSX_BODY_LIMIT }), async (req, res) => {
    const query = parseOrBadRequest(rosterImportQuerySchema, req.query);
    const claims = may(res, 'duty:roster');
    const file: unknown = req.body;
    if (!Buffer.isBuffer(file) || file.length === 0) {
      throw new RosterImportError([
        { row: 0, column: null, code: 'not_xlsx', message: '请上传 XLSX 文件 / send the XLSX file as the body' },
      ]);
    }
    try {
      res.json(await duty.roster.importMonth(claims, query.month, file, query.dryRun === 'true'));
    } catch (err) {
      if (!(err instanceof RosterImportError)) throw err;
      const body: RosterImportRefusal = {
        error: { code: 'bad_request', message: err.message },
        rowErrors: err.rowErrors,
      };
      res.status(400).json(body);
    }
  });

  router.get('/duty/log', async (req, res) => {
    const { limit } = parseOrBadRequest(dutyLogQuerySchema, req.query);
    may(res, 'duty:read');
    res.json(await duty.recentLog(limit));
  });
  router.post('/duty/log', async (req, res) => {
    const input = parseOrBadRequest(dutyLogInputSchema, req.body);
    const claims = may(res, 'duty:write');
    res.status(201).json(await duty.writeLog(claims, input));
  });

  router.get('/duty/handovers', async (req, res) => {
    const { limit } = parseOrBadRequest(handoverListQuerySchema, req.query);
    may(res, 'duty:read');
    res.json(await duty.handovers.list(limit));
  });
  router.get('/duty/handovers/open', async (_req, res) => {
    may(res, 'duty:read');
    res.json({ handover: await duty.handovers.open() });
  });
  router.get('/duty/handovers/:id', async (req, res) => {
    may(res, 'duty:read');
    res.json(await duty.handovers.get(req.params.id));
  });
  router.post('/duty/handovers', async (_req, res) => {
    const claims = may(res, 'duty:write');
    res.status(201).json(await duty.handovers.start(claims));
  });
  router.post('/duty/handovers/:id/hand-over', async (req, res) => {
    const { notes } = parseOrBadRequest(handOverSchema, req.body ?? {});
    const claims = may(res, 'duty:write');
    res.json(await duty.handovers.handOver(claims, req.params.id, notes));
  });
  router.post('/duty/handovers/:id/accept', async (req, res) => {
    const { note } = parseOrBadRequest(acceptHandoverSchema, req.body ?? {});
    const claims = may(res, 'duty:write');
    res.json(await duty.handovers.accept(claims, req.params.id, note));
  });

  return router;
}
