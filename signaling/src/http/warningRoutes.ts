/**
 * Early warnings under /api/v1: preview the townships an area covers, draft (and complete a draft),
 * import CAP 1.2, issue, cancel, the ack board, CAP export, emergency
 * meeting. The city side manages; a township reads the issued warnings that
 * reached it and its own board line.
 */

import {
  BeaconError,
  type CapRecorded,
  createWarningSchema,
  updateWarningSchema,
  type WarningView,
  warningPreviewSchema,
} from '@beacon/protocol';
import express, { Router } from 'express';
import { warningConcerns } from '../command/addressees.ts';
import type { CommandRoom } from '../command/CommandRoom.ts';
import { warningToCap } from '../command/cap/capExport.ts';
import type { CapAlert } from '../command/cap/capSchema.ts';
import { isStaff, requireStaff } from '../command/staff.ts';
import type { Store } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';
import { claimsOf } from './authRoutes.ts';
import { meetingDepartments } from './meetingBody.ts';

const CAP_TYPES = ['application/xml', 'application/cap+xml', 'text/xml'];
const CAP_BODY_LIMIT = '1mb';

export function warningRouter(deps: { store: Store; command: CommandRoom }): Router {
  const { store, command } = deps;
  const { warnings } = command;
  const router = Router();

  /** A township or department sees a warning only once it was issued to it; others look absent. */
  const visible = (claims: ReturnType<typeof claimsOf>, w: WarningView): boolean =>
    isStaff(claims) || warningConcerns(claims, w);
  const readable = async (res: Parameters<typeof claimsOf>[0], id: string): Promise<WarningView> => {
    const warning = await warnings.get(id);
    if (!visible(claimsOf(res), warning)) throw BeaconError.notFound('warning');
    return warning;
  };

  router.post('/warnings/preview', async (req, res) => {
    requireStaff(claimsOf(res));
    const { area } = parseOrBadRequest(warningPreviewSchema, req.body);
    res.json(await warnings.affected(area));
  });

  router.post('/warnings/import', express.text({ type: CAP_TYPES, limit: CAP_BODY_LIMIT }), async (req, res) => {
    const claims = claimsOf(res);
    requireStaff(claims);
    if (typeof req.body !== 'string' || req.body.trim() === '') {
      throw new BeaconError('cap_invalid', `send the CAP XML as ${CAP_TYPES.join(' or ')}`);
    }
    const handled = await command.capIntake.receive(claims, req.body, { kind: 'file', feedId: null, feedName: null });
    res.setHeader('Beacon-Cap-Outcome', handled.outcome);
    if (handled.warning) {
      // 201 for a new draft; 200 when the message changed (or already was) a warning Beacon holds.
      res.status(handled.outcome === 'drafted' ? 201 : 200).json(handled.warning);
      return;
    }
    const { alert } = handled;
    const recorded: CapRecorded = {
      outcome: 'recorded',
      identifier: alert.identifier,
      sender: alert.sender,
      status: alert.status,
      msgType: alert.msgType,
      reason: handled.reason ?? 'recorded',
    };
    res.status(202).json(recorded);
  });

  router.patch('/warnings/:id', async (req, res) => {
    const patch = parseOrBadRequest(updateWarningSchema, req.body);
    res.json(await warnings.update(claimsOf(res), req.params.id, patch));
  });

  router.post('/warnings', async (req, res) => {
    const input = parseOrBadRequest(createWarningSchema, req.body);
    res.status(201).json(await warnings.create(claimsOf(res), input));
  });

  router.get('/warnings', async (_req, res) => {
    const claims = claimsOf(res);
    res.json((await store.warnings.list()).filter((w) => visible(claims, w)));
  });

  router.get('/warnings/:id', async (req, res) => {
    res.json(await readable(res, req.params.id));
  });

  router.post('/warnings/:id/issue', async (req, res) => {
    res.json((await warnings.issue(claimsOf(res), req.params.id)).warning);
  });

  router.post('/warnings/:id/cancel', async (req, res) => {
    res.json(await warnings.cancel(claimsOf(res), req.params.id));
  });

  router.get('/warnings/:id/acks', async (req, res) => {
    const warning = await readable(res, req.params.id);
    res.json(await warnings.board(claimsOf(res), warning.id));
  });

  // Staff only: the board's loudspeaker column (a township's terminal has no board).
  router.get('/warnings/:id/loudspeakers', async (req, res) => {
    requireStaff(claimsOf(res));
    const warning = await warnings.get(req.params.id);
    res.json(await command.loudspeakers.list(warning.id));
  });

  router.get('/warnings/:id/cap', async (req, res) => {
    const warning = await readable(res, req.params.id);
    // attachment() first: it sets a content type from the file name, which must not win.
    // A warning from outside goes out as the message it came from (its latest Update or Cancel).
    const latest = (await store.capMessages.listByWarning(warning.id))[0];
    const xml = warningToCap(warning, {}, latest ? (latest.alert as CapAlert) : undefined);
    res.attachment(`${warning.identifier}.xml`).type('application/cap+xml; charset=utf-8').send(xml);
  });

  router.post('/warnings/:id/meeting', async (req, res) => {
    const warning = await warnings.get(req.params.id);
    const result = await command.meetings.start(claimsOf(res), {
      title: `应急会商：${warning.headline}`,
      townshipIds: warning.affectedTownshipIds,
      // The departments chosen in the dialog, else those the warning addressed.
      departmentIds: meetingDepartments(req.body) ?? warning.departmentIds,
      incidentId: warning.incidentId,
      source: { warningId: warning.id },
    });
    res.status(201).json({
      roomId: result.roomId,
      invitedTownshipIds: result.invitedTownshipIds,
      invitedDepartmentIds: result.invitedDepartmentIds,
    });
  });

  return router;
}
