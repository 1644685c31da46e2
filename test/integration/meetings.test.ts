/**
 * Meetings on a schedule over REST and sockets against a real node: bad bookings and bad files are refused with
 * their codes and nothing is stored; a booking reaches the invited township's socket as a notice and its receipt
 * reaches staff; at the start the township is invited into the room, the chair is told to open it, and the
 * recording the booking asked for starts with the first participant.
 */
import http from 'node:http';
import type { BookingSaved, BookingView, RecordingView } from '@beacon/protocol';
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { api, FAKE_DTLS, login, micProducer, nextEvent, ok, useTestNode } from './helpers.ts';

const t = useTestNode({ env: { BEACON_MEETING_TICK_MS: '200', BEACON_MEETING_MAX_MATERIAL_MB: '1' } });

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const booking = (over: Record<string, unknown> = {}) => ({
  title: '周例会',
  kind: 'work',
  startsAt: inMinutes(60),
  endsAt: inMinutes(120),
  roomId: null,
  chairId: 'u-chair',
  invitees: [{ kind: 'township', id: 'lucheng' }],
  ...over,
});

async function codeOf(res: Response): Promise<{ status: number; code: string; field?: string }> {
  const body = (await res.json()) as { error: { code: string; field?: string } };
  return { status: res.status, code: body.error.code, ...(body.error.field ? { field: body.error.field } : {}) };
}

/** A POST that only declares its length: the server must refuse it before reading the body. */
function declaredUpload(url: string, token: string, bytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/v1/meetings/materials?name=big.pdf`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf', 'content-length': bytes },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.write(Buffer.from('%PDF-1.7\n'));
  });
}

describe('meetings on a schedule', () => {
  it('refuses bad bookings and bad files with their codes and stores nothing', async () => {
    const token = await login(t.url, 'admin');
    const post = (body: unknown) =>
      api(t.url, token, '/api/v1/meetings', { method: 'POST', body: JSON.stringify(body) });
    expect(await codeOf(await post(booking({ endsAt: inMinutes(30) })))).toMatchObject({
      status: 400,
      code: 'booking_invalid',
      field: 'endsAt',
    });
    expect(await codeOf(await post(booking({ repeat: { every: 'week' } })))).toMatchObject({
      code: 'booking_invalid',
      field: 'repeat.until',
    });
    const disable = await api(t.url, token, '/api/v1/admin/townships/bajiao/disable', { method: 'POST' });
    expect(disable.status).toBeLessThan(300);
    expect(await codeOf(await post(booking({ invitees: [{ kind: 'township', id: 'bajiao' }] })))).toMatchObject({
      code: 'invitee_unavailable',
      field: 'invitees.0',
    });
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03'), Buffer.alloc(512, 0)]);
    // Sent as a browser sends a file (api() would label it JSON).
    const renamed = await fetch(`${t.url}/api/v1/meetings/materials?name=%E9%80%9A%E7%9F%A5.pdf`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
      body: exe,
    });
    expect(await codeOf(renamed)).toEqual({ status: 415, code: 'material_refused' });
    const big = await declaredUpload(t.url, token, 200 * 1024 * 1024);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({ error: { code: 'material_too_large' } });
    const township = await login(t.url, 'lucheng');
    expect(
      (await api(t.url, township, '/api/v1/meetings', { method: 'POST', body: JSON.stringify(booking()) })).status,
    ).toBe(403);
    const listed = await api(t.url, token, `/api/v1/meetings?from=${inMinutes(-60)}&to=${inMinutes(60 * 24 * 30)}`);
    expect((await listed.json()) as BookingView[]).toEqual([]);
  });

  it('notifies the township, carries its receipt to staff, invites it at the start and records', async () => {
    const town = await t.client('lucheng');
    const chair = await t.client('chair');
    const staff = await t.client('duty');
    const token = await login(t.url, 'duty');
    const notice = nextEvent(town, 'meeting:notice');
    const res = await api(t.url, token, '/api/v1/meetings', {
      method: 'POST',
      body: JSON.stringify(
        booking({ startsAt: new Date(Date.now() + 3_000).toISOString(), endsAt: inMinutes(30), record: true }),
      ),
    });
    expect(res.status).toBe(201);
    const saved = (await res.json()) as BookingSaved;
    expect(await notice).toMatchObject({ bookingId: saved.booking.id, reason: 'new', receipt: { status: 'pending' } });

    const townToken = await login(t.url, 'lucheng');
    const updated = nextEvent(staff, 'meeting:booking');
    const receipt = await api(t.url, townToken, `/api/v1/meetings/${saved.booking.id}/receipt`, {
      method: 'POST',
      body: JSON.stringify({ attendees: ['张镇长'] }),
    });
    expect(receipt.status).toBe(200);
    expect((await updated).invitees[0]).toMatchObject({ status: 'confirmed', attendees: ['张镇长'] });

    const [invite, open] = await Promise.all([
      nextEvent(town, 'meeting:invite', 15_000),
      nextEvent(chair, 'meeting:open', 15_000),
    ]);
    expect(invite.roomId).toBe(saved.booking.roomId);
    expect(open).toMatchObject({ bookingId: saved.booking.id, roomId: saved.booking.roomId });
    await ok(town, 'room:join', { roomId: invite.roomId });
    const send = await ok(town, 'transport:create', { direction: 'send' });
    await ok(town, 'transport:connect', { transportId: send.id, dtlsParameters: FAKE_DTLS });
    await ok(town, 'producer:create', micProducer(send.id));
    await expect
      .poll(
        async () =>
          ((await (await api(t.url, token, `/api/v1/rooms/${invite.roomId}/recordings`)).json()) as RecordingView[])
            .length,
        { timeout: 20_000 },
      )
      .toBe(1);
    const attendance = await api(t.url, token, `/api/v1/meetings/${saved.booking.id}/invitee-attendance`);
    expect(await attendance.json()).toEqual([expect.objectContaining({ id: 'lucheng', present: true })]);
    // The chair opens the room and stops the recording (no RTP flows here, so the file may be refused as empty).
    await ok(chair, 'room:join', { roomId: invite.roomId });
    const raw = chair as unknown as Socket;
    const stopped = (await raw.timeout(30_000).emitWithAck('recording:stop', {})) as {
      ok: boolean;
      error?: { code: string };
    };
    if (!stopped.ok) expect(stopped.error?.code).toBe('recording_failed');
  });
});
