/**
 * What meetings leave behind, under /api/v1: a room's meetings, chat and
 * recordings; a meeting's attendance (签到) as JSON and CSV; a recording's
 * file for in-browser playback or download, through a short-lived signed link
 * (recordingLinks.ts) or a bearer header.
 *
 * Attendance and recordings are for the city side (admin, chair, duty
 * officer); townships get 403. Chat and the meeting list are open to every
 * signed-in account that may join the room (rooms/membership.ts), like the room list.
 */
import { existsSync } from 'node:fs';
import type { RecordingView, Role } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import type { AuthClaims } from '../auth/tokens.ts';
import { requireMember } from '../rooms/membership.ts';
import { ACCOUNT_PERMISSIONS } from '../rooms/permissions.ts';
import type { Store } from '../store/index.ts';
import type { RecordingRecord } from '../store/StoreTypes.ts';
import { attendanceCsv } from './attendanceCsv.ts';
import { claimsOf } from './authRoutes.ts';
import { RecordingLinks } from './recordingLinks.ts';

const RECORDS_READERS: readonly Role[] = ACCOUNT_PERMISSIONS['records:read'];
const CHAT_LIMIT = 200;
const linkRequestSchema = z.strictObject({ download: z.boolean().optional() });

function requireRecordsReader(claims: AuthClaims): void {
  if (!RECORDS_READERS.includes(claims.role)) {
    throw BeaconError.forbidden('只有市级用户可以查看签到和录像 / attendance and recordings are for the city side');
  }
}

function meetingIdOf(raw: unknown): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw BeaconError.badRequest('meeting id must be a positive integer');
  return id;
}

export function recordingView(r: RecordingRecord): RecordingView {
  return {
    id: r.id,
    roomId: r.roomId,
    meetingId: r.meetingId,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
    size: r.size,
    status: r.status,
  };
}

export function meetingRouter(deps: { store: Store }): Router {
  const { store } = deps;
  const router = Router();
  /** The room's id, when it exists and the account may join it (a members-only room's chat is its members'). */
  const room = async (id: string, claims: AuthClaims) => {
    const found = await store.rooms.get(id);
    if (!found) throw new BeaconError('room_not_found', `room "${id}" not found`);
    await requireMember(store, found, claims);
    return id;
  };
  const meeting = async (raw: unknown) => {
    const found = await store.meetings.get(meetingIdOf(raw));
    if (!found) throw BeaconError.notFound('meeting');
    return found;
  };

  router.get('/rooms/:id/meetings', async (req, res) => {
    res.json(await store.meetings.listByRoom(await room(req.params.id, claimsOf(res))));
  });

  /** The room's last 200 messages (all meetings), or one meeting's with `?meetingId=`. */
  router.get('/rooms/:id/chat', async (req, res) => {
    const roomId = await room(req.params.id, claimsOf(res));
    if (req.query.meetingId === undefined) {
      res.json(await store.chat.listByRoom(roomId, CHAT_LIMIT));
      return;
    }
    const found = await meeting(req.query.meetingId);
    if (found.roomId !== roomId) throw BeaconError.notFound('meeting');
    res.json(await store.chat.listByMeeting(found.id, CHAT_LIMIT));
  });

  router.get('/rooms/:id/recordings', async (req, res) => {
    const claims = claimsOf(res);
    requireRecordsReader(claims);
    res.json((await store.recordings.listByRoom(await room(req.params.id, claims))).map(recordingView));
  });

  router.get('/meetings/:id/attendance', async (req, res) => {
    requireRecordsReader(claimsOf(res));
    res.json(await store.attendance.listByMeeting((await meeting(req.params.id)).id));
  });

  router.get('/meetings/:id/attendance.csv', async (req, res) => {
    const claims = claimsOf(res);
    requireRecordsReader(claims);
    const found = await meeting(req.params.id);
    const rows = await store.attendance.listByMeeting(found.id);
    // Who took the list of names out of the system.
    await store.audit.append({
      actorId: claims.userId,
      role: claims.role,
      action: 'meeting.attendance_export',
      target: String(found.id),
      detail: { roomId: found.roomId, rows: rows.length },
    });
    const townships = new Map((await store.townships.list()).map((t) => [t.id, t.name]));
    res
      .type('text/csv; charset=utf-8')
      .attachment(`attendance-${found.roomId}-${found.id}.csv`)
      .send(attendanceCsv(rows, townships));
  });

  return router;
}

/** A recording that may be played: ready, its file still there. */
async function playableRecording(store: Store, raw: unknown): Promise<RecordingRecord> {
  const id = String(raw);
  const recording = await store.recordings.get(id);
  if (!recording) throw BeaconError.notFound('recording');
  if (recording.status !== 'ready' || !existsSync(recording.file)) {
    throw new BeaconError(
      'invalid_state',
      `recording is ${recording.status === 'ready' ? 'missing' : recording.status}`,
    );
  }
  return recording;
}

/** Streams the file; Range requests (seeking) are served by `res.sendFile`; `?download=1` saves it. */
async function sendRecording(req: Request, res: Response, recording: RecordingRecord): Promise<void> {
  res.type('video/webm');
  if (req.query.download === '1') res.attachment(`recording-${recording.roomId}-${recording.id}.webm`);
  await new Promise<void>((resolve, reject) => {
    res.sendFile(recording.file, { headers: { 'cache-control': 'private, no-store' } }, (err) => {
      if (err && !res.headersSent) reject(err);
      else resolve();
    });
  });
}

/**
 * Recordings' files for a bearer: the signed link (`POST /recordings/:id/link`, audited
 * as the view or download it is for) and the file itself (an API client with the header;
 * audited when it starts reading, not on every seek).
 */
export function recordingRouter(deps: { store: Store; recordingLinks: RecordingLinks }): Router {
  const { store, recordingLinks } = deps;
  const router = Router();
  const audit = (claims: AuthClaims, recording: RecordingRecord, download: boolean, via: 'link' | 'bearer') =>
    store.audit.append({
      actorId: claims.userId,
      role: claims.role,
      action: download ? 'recording.download' : 'recording.view',
      target: recording.id,
      detail: { roomId: recording.roomId, meetingId: recording.meetingId, via },
    });

  router.post('/recordings/:id/link', async (req, res) => {
    const claims = claimsOf(res);
    requireRecordsReader(claims);
    const body = linkRequestSchema.safeParse(req.body ?? {});
    if (!body.success) throw BeaconError.badRequest('body must be { download?: boolean }');
    const recording = await playableRecording(store, req.params.id);
    const download = body.data.download ?? false;
    await audit(claims, recording, download, 'link');
    res.set('cache-control', 'no-store').json(recordingLinks.issue(recording.id, { download }));
  });

  router.get('/recordings/:id/file', async (req, res) => {
    const claims = claimsOf(res);
    requireRecordsReader(claims);
    const recording = await playableRecording(store, req.params.id);
    const range = req.get('range');
    if (range === undefined || /^bytes=0-/.test(range)) {
      await audit(claims, recording, req.query.download === '1', 'bearer');
    }
    await sendRecording(req, res, recording);
  });

  return router;
}

/**
 * GET /api/v1/recordings/:id/file with a signed link (`?expires=&sig=`) — mounted
 * before the bearer middleware: a `<video src>` cannot send headers. Without a
 * link the request goes on to the bearer route; a session token in the query
 * (`?token=`, the old way) is refused rather than read.
 */
export function recordingLinkRoute(deps: { store: Store; recordingLinks: RecordingLinks }): RequestHandler {
  return async (req, res, next) => {
    if (!RecordingLinks.present(req.query)) {
      if (req.query.token !== undefined) {
        throw BeaconError.unauthorized('session tokens are not accepted in URLs; ask POST /recordings/:id/link');
      }
      next();
      return;
    }
    deps.recordingLinks.verify(String(req.params.id), req.query);
    await sendRecording(req, res, await playableRecording(deps.store, req.params.id));
  };
}
