/**
 * Meetings on a schedule (会议预约) under /api/v1. Staff book; invitees read
 * their notices and answer with a receipt.
 *
 *   POST  /meetings/materials?name=        raw file body (PDF, Office, image; checked by content) → the material
 *   GET   /meetings/materials/:id          the file (staff, or an invitee of its booking)
 *   GET   /meetings/notices                the account's notices (会议通知) with its receipts
 *   POST  /meetings/notices/delivered      { bookingIds }: shown on the terminal
 *   GET   /meetings?from=&to=              bookings overlapping the range (the calendar)
 *   POST  /meetings                        book (a weekly repeat stores each occurrence) → { booking, conflicts }
 *   GET   /meetings/:id
 *   PATCH /meetings/:id                    edit one occurrence → { booking, conflicts }
 *   POST  /meetings/:id/move               { startsAt, endsAt } → { booking, conflicts }
 *   POST  /meetings/:id/cancel             { reason }
 *   POST  /meetings/:id/receipt            回执 { attendees }
 *   GET   /meetings/:id/invitee-attendance the invitees against who joined (present / absent)
 *
 * A body that does not parse is `booking_invalid` (with the field at fault); nothing is stored.
 * (`/meetings/:id/attendance` with a numeric id is a room session's 签到, http/meetingRoutes.ts.)
 */
import {
  BeaconError,
  bookingCancelSchema,
  bookingEditSchema,
  bookingMoveSchema,
  bookingRangeSchema,
  bookingReceiptSchema,
  newBookingSchema,
  noticesDeliveredSchema,
} from '@beacon/protocol';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { z } from 'zod';
import { claimsOf } from '../http/authRoutes.ts';
import { parseOrBadRequest } from '../validation.ts';
import type { BookingDesk } from './BookingDesk.ts';
import type { NoticeDesk } from './NoticeDesk.ts';

function parseBooking<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  try {
    return parseOrBadRequest(schema, input);
  } catch (err) {
    if (!(err instanceof BeaconError)) throw err;
    const invalid = new BeaconError('booking_invalid', err.message);
    invalid.field = err.field;
    throw invalid;
  }
}

/** RFC 6266 filename* so Chinese names survive, and a plain ASCII fallback. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function meetingBookingRouter(deps: { bookings: BookingDesk; notices: NoticeDesk }): Router {
  const { bookings, notices } = deps;
  const router = Router();

  // The declared length is checked before a byte is read; the parser's limit stops a body that lies about it.
  const materialBody = express.raw({ type: () => true, limit: notices.maxMaterialBytes });
  router.post(
    '/meetings/materials',
    (req: Request, res: Response, next: NextFunction) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (Number.isFinite(declared)) notices.checkUploadSize(declared);
      materialBody(req, res, (err?: unknown) => {
        const type = (err as { type?: unknown } | undefined)?.type;
        next(
          type === 'entity.too.large' ? new BeaconError('material_too_large', '文件过大 / the file is too large') : err,
        );
      });
    },
    async (req, res) => {
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const name = typeof req.query.name === 'string' ? req.query.name : 'material';
      res.status(201).json(await notices.uploadMaterial(claimsOf(res), name, bytes));
    },
  );

  router.get('/meetings/materials/:id', async (req, res) => {
    const { material, bytes } = await notices.material(claimsOf(res), req.params.id);
    res
      .type(material.mime)
      .set('content-disposition', contentDisposition(material.name))
      .set('x-content-type-options', 'nosniff')
      .set('cache-control', 'private, max-age=300')
      .send(bytes);
  });

  router.get('/meetings/notices', async (_req, res) => {
    res.json(await notices.notices(claimsOf(res)));
  });

  router.post('/meetings/notices/delivered', async (req, res) => {
    const { bookingIds } = parseOrBadRequest(noticesDeliveredSchema, req.body);
    await notices.delivered(claimsOf(res), bookingIds);
    res.status(204).end();
  });

  router.get('/meetings', async (req, res) => {
    const { from, to } = parseBooking(bookingRangeSchema, req.query);
    res.json(await bookings.list(claimsOf(res), from, to));
  });

  router.post('/meetings', async (req, res) => {
    const input = parseBooking(newBookingSchema, req.body);
    res.status(201).json(await bookings.create(claimsOf(res), input));
  });

  router.get('/meetings/:id', async (req, res) => {
    res.json(await bookings.get(claimsOf(res), req.params.id));
  });

  router.patch('/meetings/:id', async (req, res) => {
    const input = parseBooking(bookingEditSchema, req.body);
    res.json(await bookings.edit(claimsOf(res), req.params.id, input));
  });

  router.post('/meetings/:id/move', async (req, res) => {
    const input = parseBooking(bookingMoveSchema, req.body);
    res.json(await bookings.edit(claimsOf(res), req.params.id, input));
  });

  router.post('/meetings/:id/cancel', async (req, res) => {
    const { reason } = parseBooking(bookingCancelSchema, req.body ?? {});
    res.json(await bookings.cancel(claimsOf(res), req.params.id, reason));
  });

  router.post('/meetings/:id/receipt', async (req, res) => {
    const { attendees } = parseBooking(bookingReceiptSchema, req.body);
    res.json(await notices.receipt(claimsOf(res), req.params.id, attendees));
  });

  router.get('/meetings/:id/invitee-attendance', async (req, res) => {
    res.json(await notices.attendance(claimsOf(res), req.params.id));
  });

  return router;
}
