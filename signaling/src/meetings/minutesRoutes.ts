/**
 * Minutes (会议纪要) and material pages under /api/v1:
 *
 *   GET  /meetings/:id/minutes                          the minutes (version 0: none yet)
 *   PUT  /meetings/:id/minutes                          the whole minutes with the version read → saved
 *   POST /meetings/:id/minutes/actions/:actionId/task   the action item becomes a dispatch task to its owner
 *   GET  /meetings/:id/minutes.docx | minutes.pdf       the export, with the attendance against the invitation
 *   POST /meetings/:id/minutes/finalise                 { version } → the signed DOCX/PDF kept as the meeting's files
 *   GET  /meetings/:id/minutes/files                    the finalised files, newest version first
 *   GET  /meetings/:id/minutes/files/:fileId            one file's stored bytes (never a re-render)
 *   GET  /meetings/materials/:id/pages                  { pages } (converted the first time; may take a while)
 *   GET  /meetings/materials/:id/pages/:n               page n as PNG
 *   GET  /meetings/rooms/:roomId/materials              staff: the materials of the room's booked meetings today
 *
 * A minutes body that does not parse is `minutes_invalid` (with the field); nothing is stored.
 */
import { BeaconError, minutesFinaliseSchema, minutesSaveSchema } from '@beacon/protocol';
import { type Response, Router } from 'express';
import { claimsOf } from '../http/authRoutes.ts';
import { parseOrBadRequest } from '../validation.ts';
import type { BookingDesk } from './BookingDesk.ts';
import type { DocumentConverter } from './DocumentConverter.ts';
import type { MaterialPages } from './MaterialPages.ts';
import type { MinutesDesk } from './MinutesDesk.ts';
import { MINUTES_FILE_TYPES, type MinutesFinaliser } from './MinutesFinaliser.ts';
import { minutesDocx } from './minutesDocx.ts';
import type { NoticeDesk } from './NoticeDesk.ts';

/** RFC 6266 filename* so Chinese names survive, and a plain ASCII fallback. */
function sendFile(res: Response, type: string, name: string, bytes: Buffer): void {
  res
    .type(type)
    .set('content-disposition', `attachment; filename="minutes"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .set('cache-control', 'no-store')
    .send(bytes);
}

/** The chair's materials panel looks this far either side of now for the room's booked meetings. */
const ROOM_MATERIALS_SPAN_MS = 12 * 60 * 60_000;

export function minutesRouter(deps: {
  bookings: BookingDesk;
  minutes: MinutesDesk;
  minutesFiles: MinutesFinaliser;
  notices: NoticeDesk;
  pages: MaterialPages;
  converter: DocumentConverter;
}): Router {
  const { bookings, minutes, minutesFiles, notices, pages, converter } = deps;
  const router = Router();

  router.get('/meetings/rooms/:roomId/materials', async (req, res) => {
    const now = Date.now();
    const from = new Date(now - ROOM_MATERIALS_SPAN_MS).toISOString();
    const to = new Date(now + ROOM_MATERIALS_SPAN_MS).toISOString();
    const held = (await bookings.list(claimsOf(res), from, to)).filter(
      (b) => b.roomId === req.params.roomId && b.state !== 'cancelled',
    );
    // The running meeting first, then by closeness to now.
    held.sort((a, b) => Math.abs(Date.parse(a.startsAt) - now) - Math.abs(Date.parse(b.startsAt) - now));
    res.json(held.flatMap((b) => b.materials.map((m) => ({ ...m, bookingId: b.id, bookingTitle: b.title }))));
  });

  router.get('/meetings/materials/:id/pages', async (req, res) => {
    const material = await notices.materialRecord(claimsOf(res), req.params.id);
    res.json({ materialId: material.id, pages: await pages.count(material) });
  });

  router.get('/meetings/materials/:id/pages/:n', async (req, res) => {
    const material = await notices.materialRecord(claimsOf(res), req.params.id);
    const png = await pages.page(material, Number(req.params.n));
    res.type('image/png').set('x-content-type-options', 'nosniff').set('cache-control', 'private, max-age=3600');
    res.send(png);
  });

  router.get('/meetings/:id/minutes', async (req, res) => {
    res.json(await minutes.get(claimsOf(res), req.params.id));
  });

  router.put('/meetings/:id/minutes', async (req, res) => {
    let input: ReturnType<typeof minutesSaveSchema.parse>;
    try {
      input = parseOrBadRequest(minutesSaveSchema, req.body);
    } catch (err) {
      if (!(err instanceof BeaconError)) throw err;
      const invalid = new BeaconError('minutes_invalid', err.message);
      invalid.field = err.field;
      throw invalid;
    }
    res.json(await minutes.save(claimsOf(res), req.params.id, input));
  });

  router.post('/meetings/:id/minutes/actions/:actionId/task', async (req, res) => {
    res.json(await minutes.dispatch(claimsOf(res), req.params.id, req.params.actionId));
  });

  router.post('/meetings/:id/minutes/finalise', async (req, res) => {
    const input = parseOrBadRequest(minutesFinaliseSchema, req.body);
    res.status(201).json(await minutesFiles.finalise(claimsOf(res), req.params.id, input));
  });

  router.get('/meetings/:id/minutes/files', async (req, res) => {
    res.json(await minutesFiles.list(claimsOf(res), req.params.id));
  });

  router.get('/meetings/:id/minutes/files/:fileId', async (req, res) => {
    const { file, bytes } = await minutesFiles.read(claimsOf(res), req.params.id, req.params.fileId);
    sendFile(res, MINUTES_FILE_TYPES[file.format], file.name, bytes);
  });

  router.get('/meetings/:id/minutes.docx', async (req, res) => {
    const doc = await minutes.document(claimsOf(res), req.params.id);
    const docx = await minutesDocx(doc);
    sendFile(
      res,
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      `${doc.booking.title}-会议纪要.docx`,
      docx,
    );
  });

  router.get('/meetings/:id/minutes.pdf', async (req, res) => {
    const doc = await minutes.document(claimsOf(res), req.params.id);
    const pdf = await converter.toPdf(await minutesDocx(doc), 'docx');
    sendFile(res, 'application/pdf', `${doc.booking.title}-会议纪要.pdf`, pdf);
  });

  return router;
}
