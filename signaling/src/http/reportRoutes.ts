/**
 * Information reporting (信息报送) under /api/v1. Townships and departments
 * report for themselves; the command room's staff read every chain (the duty
 * desk's inbox), type in reports that came by phone or fax, and handle them.
 *
 *   POST /reports/photos                       raw image body (JPEG/PNG/WebP) → the stored photo
 *   GET  /reports/photos/:id[?size=thumb]      the served JPEG (no EXIF) or its thumbnail
 *   GET  /reports?state=&limit=                newest first (a unit: its own)
 *   POST /reports                              a first report (首报)
 *   GET  /reports/:id
 *   POST /reports/:id/entries                  a follow-up (续报) or the final report (终报)
 *   POST /reports/:id/verify                   核实 (staff)
 *   POST /reports/:id/questions                the desk asks for more (staff)
 *   POST /reports/:id/questions/:qid/answer    the unit answers
 *   POST /reports/:id/incident                 create an incident from the chain, or link it (staff)
 *   POST /reports/:id/merge {into}             the chain is a duplicate of `into`, the main one (staff)
 *   POST /reports/:id/unmerge                  undo that (staff)
 *   GET  /reports/default-location             where a report lies unless it says (seat or area centre)
 *
 * A report body that does not parse is `report_invalid` (with the field at fault), never stored.
 */
import {
  BeaconError,
  newReportSchema,
  reportAnswerSchema,
  reportEntrySchema,
  reportIncidentSchema,
  reportListQuerySchema,
  reportMergeSchema,
  reportQuestionSchema,
} from '@beacon/protocol';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { z } from 'zod';
import type { CommandRoom } from '../command/CommandRoom.ts';
import { parseOrBadRequest } from '../validation.ts';
import { claimsOf } from './authRoutes.ts';

function parseReport<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  try {
    return parseOrBadRequest(schema, input);
  } catch (err) {
    if (!(err instanceof BeaconError)) throw err;
    const invalid = new BeaconError('report_invalid', err.message);
    invalid.field = err.field;
    throw invalid;
  }
}

export function reportRouter(deps: { command: CommandRoom }): Router {
  const desk = deps.command.reports;
  const router = Router();

  // The declared length is checked before a byte is read; the parser's limit stops a body that lies about it.
  const photoBody = express.raw({ type: () => true, limit: desk.options.maxPhotoBytes });
  router.post(
    '/reports/photos',
    (req: Request, _res: Response, next: NextFunction) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (Number.isFinite(declared)) desk.checkUploadSize(declared);
      photoBody(req, _res, (err?: unknown) => {
        const type = (err as { type?: unknown } | undefined)?.type;
        next(
          type === 'entity.too.large' ? new BeaconError('photo_too_large', '照片过大 / the photo is too large') : err,
        );
      });
    },
    async (req, res) => {
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (bytes.length === 0) throw new BeaconError('photo_not_image', '没有收到照片 / no photo in the request');
      res.status(201).json(await desk.uploadPhoto(claimsOf(res), bytes));
    },
  );

  router.get('/reports/photos/:id', async (req, res) => {
    const size = req.query.size === 'thumb' ? 'thumb' : 'served';
    const jpeg = await desk.photo(claimsOf(res), req.params.id, size);
    res.type('image/jpeg').set('cache-control', 'private, max-age=3600').send(jpeg);
  });

  router.get('/reports', async (req, res) => {
    const query = parseOrBadRequest(reportListQuerySchema, req.query);
    res.json(await desk.list(claimsOf(res), query));
  });

  router.post('/reports', async (req, res) => {
    const input = parseReport(newReportSchema, req.body);
    res.status(201).json(await desk.create(claimsOf(res), input));
  });

  router.get('/reports/default-location', async (_req, res) => {
    res.json({ location: await desk.defaultLocation(claimsOf(res)) });
  });

  router.get('/reports/:id', async (req, res) => {
    res.json(await desk.get(claimsOf(res), req.params.id));
  });

  router.post('/reports/:id/entries', async (req, res) => {
    const input = parseReport(reportEntrySchema, req.body);
    res.status(201).json(await desk.addEntry(claimsOf(res), req.params.id, input));
  });

  router.post('/reports/:id/verify', async (req, res) => {
    res.json(await desk.verify(claimsOf(res), req.params.id));
  });

  router.post('/reports/:id/questions', async (req, res) => {
    const { text } = parseReport(reportQuestionSchema, req.body);
    res.status(201).json(await desk.ask(claimsOf(res), req.params.id, text));
  });

  router.post('/reports/:id/questions/:questionId/answer', async (req, res) => {
    const { text } = parseReport(reportAnswerSchema, req.body);
    res.json(await desk.answer(claimsOf(res), req.params.id, req.params.questionId, text));
  });

  router.post('/reports/:id/incident', async (req, res) => {
    const input = parseOrBadRequest(reportIncidentSchema, req.body ?? {});
    res.status(201).json(await desk.toIncident(claimsOf(res), req.params.id, input));
  });

  router.post('/reports/:id/merge', async (req, res) => {
    const { into } = parseOrBadRequest(reportMergeSchema, req.body ?? {});
    res.json(await desk.merge(claimsOf(res), req.params.id, into));
  });

  router.post('/reports/:id/unmerge', async (req, res) => {
    res.json(await desk.unmerge(claimsOf(res), req.params.id));
  });

  return router;
}
