import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientError } from './errors.ts';
import { request, requestAck } from './request.ts';

/** A real socket.io server whose answers each test chooses by the room id it sends. */
describe('request', () => {
  const http = createServer();
  const server = new Server(http);
  let client: Socket;

  beforeAll(async () => {
    server.on('connection', (socket) => {
      socket.on('room:join', (payload: { roomId: string }, ack: (answer: unknown) => void) => {
        const answers: Record<string, unknown> = {
          ok: { ok: true, data: { peerId: 'p1' } },
          locked: { ok: false, error: { code: 'room_locked', message: 'the chair locked the room' } },
          newer: { ok: false, error: { code: 'some_future_code', message: 'from a newer server' } },
          garbage: { status: 'fine' },
        };
        if (payload.roomId === 'silent') return; // never answers
        ack(answers[payload.roomId]);
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    client = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('resolves with the data of an ok ack', async () => {
    await expect(request(client, 'room:join', { roomId: 'ok' })).resolves.toEqual({ peerId: 'p1' });
  });

  it('rejects a refusal with the server code', async () => {
    const error = await request(client, 'room:join', { roomId: 'locked' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe('room_locked');
    expect((error as ClientError).message).toMatch(/room:join refused \(room_locked\): the chair locked the room/);
  });

  it('returns the refusal as an ack when asked for the raw ack', async () => {
    await expect(requestAck(client, 'room:join', { roomId: 'locked' })).resolves.toEqual({
      ok: false,
      error: { code: 'room_locked', message: 'the chair locked the room' },
    });
  });

  it('reads an unknown code as internal and a non-ack answer as an error', async () => {
    await expect(request(client, 'room:join', { roomId: 'newer' })).rejects.toMatchObject({ code: 'internal' });
    await expect(request(client, 'room:join', { roomId: 'garbage' })).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringMatching(/not an ack/),
    });
  });

  it('times out when no ack comes', async () => {
    await expect(request(client, 'room:join', { roomId: 'silent' }, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'timeout',
    });
  });

  it('fails fast on a disconnected socket only when asked', async () => {
    const offline = io('http://127.0.0.1:1', { autoConnect: false });
    await expect(request(offline, 'room:join', { roomId: 'ok' }, { failFast: true })).rejects.toMatchObject({
      code: 'disconnected',
    });
    // Without failFast socket.io buffers the event; nothing answers within the timeout.
    await expect(request(offline, 'room:join', { roomId: 'ok' }, { timeoutMs: 100 })).rejects.toBeInstanceOf(
      ClientError,
    );
    offline.close();
  });
});
