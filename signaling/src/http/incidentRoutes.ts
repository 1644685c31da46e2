/**
 * Incidents under /api/v1: list, report, status workflow, notes with
 * snapshots, one-click emergency meeting, after-action report. The city side
 * manages; a township reads the incidents of its own township.
 */

import {
  BeaconError,
  createIncidentSchema,
  type IncidentView,
  incidentDepartmentsSchema,
  incidentFilterSchema,
  incidentNoteSchema,
  incidentStatusChangeSchema,
} from '@beacon/protocol';
import { Router } from 'express';
import { incidentConcerns } from '../command/addressees.ts';
import type { CommandRoom } from '../command/CommandRoom.ts';
import { isStaff } from '../command/staff.ts';
import type { Store } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';
import { reportCsv, reportHtml } from './afterActionReport.ts';
import { claimsOf } from './authRoutes.ts';
import { meetingDepartments } from './meetingBody.ts';

export function incidentRouter(deps: { store: Store; command: CommandRoom }): Router {
  const { store, command } = deps;
  const router = Router();

  /**
   * The incident, if the caller may read it (a township: its own only; a department: those it is involved in;
   * others' look absent).
   */
  const readable = async (res: Parameters<typeof claimsOf>[0], id: string): Promise<IncidentView> => {
    const claims = claimsOf(res);
    const incident = await command.incidents.get(id);
    if (!isStaff(claims) && !incidentConcerns(claims, incident)) throw BeaconError.notFound('incident');
    return incident;
  };

  router.get('/incidents', async (req, res) => {
    const claims = claimsOf(res);
    const filter = parseOrBadRequest(incidentFilterSchema, req.query);
    const all = await store.incidents.list(filter);
    res.json(isStaff(claims) ? all : all.filter((i) => incidentConcerns(claims, i)));
  });

  router.put('/incidents/:id/departments', async (req, res) => {
    const { departmentIds } = parseOrBadRequest(incidentDepartmentsSchema, req.body);
    res.json(await command.incidents.setDepartments(claimsOf(res), req.params.id, departmentIds));
  });

  router.post('/incidents', async (req, res) => {
    const input = parseOrBadRequest(createIncidentSchema, req.body);
    res.status(201).json(await command.incidents.create(claimsOf(res), input));
  });

  router.get('/incidents/:id', async (req, res) => {
    const incident = await readable(res, req.params.id);
    res.json({ ...incident, timeline: await store.incidents.timeline(incident.id) });
  });

  router.post('/incidents/:id/status', async (req, res) => {
    const input = parseOrBadRequest(incidentStatusChangeSchema, req.body);
    res.json(await command.incidents.changeStatus(claimsOf(res), req.params.id, input));
  });

  router.post('/incidents/:id/notes', async (req, res) => {
    const input = parseOrBadRequest(incidentNoteSchema, req.body);
    res.status(201).json(await command.incidents.addNote(claimsOf(res), req.params.id, input));
  });

  router.get('/incidents/:id/snapshots/:entryId', async (req, res) => {
    const incident = await readable(res, req.params.id);
    const entryId = Number(req.params.entryId);
    if (!Number.isSafeInteger(entryId) || entryId <= 0)
      throw BeaconError.badRequest('entry id must be a positive integer');
    res
      .type('image/jpeg')
      .set('cache-control', 'private, max-age=3600')
      .send(await command.incidents.snapshot(incident.id, entryId));
  });

  router.post('/incidents/:id/meeting', async (req, res) => {
    const incident = await command.incidents.get(req.params.id);
    const result = await command.meetings.start(claimsOf(res), {
      title: `应急会商：${incident.title}`,
      townshipIds: incident.townshipId ? [incident.townshipId] : [],
      // The departments chosen in the dialog, else those the incident involves.
      departmentIds: meetingDepartments(req.body) ?? incident.departmentIds,
      incidentId: incident.id,
      source: { incidentId: incident.id },
    });
    res.status(201).json({
      roomId: result.roomId,
      invitedTownshipIds: result.invitedTownshipIds,
      invitedDepartmentIds: result.invitedDepartmentIds,
    });
  });

  router.get('/incidents/:id/report', async (req, res) => {
    const claims = claimsOf(res);
    if (!isStaff(claims)) throw BeaconError.forbidden('报告仅限市级用户 / reports are for the city side');
    const incident = await command.incidents.get(req.params.id);
    // Who took a copy of an after-action report out of the system.
    await store.audit.append({
      actorId: claims.userId,
      role: claims.role,
      action: 'incident.report_export',
      target: incident.id,
      detail: { format: req.query.format === 'csv' ? 'csv' : 'html' },
    });
    if (req.query.format === 'csv') {
      const csv = await reportCsv(store, incident);
      res.type('text/csv; charset=utf-8').attachment(`incident-${incident.id}.csv`).send(csv);
      return;
    }
    res.type('text/html; charset=utf-8').send(await reportHtml(store, incident));
  });

  return router;
}
