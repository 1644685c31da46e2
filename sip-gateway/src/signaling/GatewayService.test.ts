import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayService, tokenLife } from './GatewayService.ts';

/** A token shaped like signaling's (only iat/exp matter here). */
function jwt(iat: number, exp: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part({ sub: 'sip-gateway', iat, exp })}.signature`;
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('GatewayService', () => {
  it('reconnects with a renewed token while idle once the one it connected with is past half its life', async () => {
    const http = createServer();
    const io = new Server(http);
    const handshakes: string[] = [];
    io.use((socket, next) => {
      handshakes.push(String(socket.handshake.auth.token));
      next();
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    closers.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
    const now = Math.floor(Date.now() / 1000);
    let current = jwt(now - 7 * 3600, now + 5 * 3600);
    const service = await GatewayService.connect(
      `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      () => current,
    );
    closers.push(() => service.close());
    expect(handshakes).toEqual([current]);
    // No newer token yet: nothing to gain.
    expect(service.refreshIfDue(true)).toBe(false);
    current = jwt(now, now + 12 * 3600);
    // A call in progress: the socket stays (signaling closes it at expiry at the latest).
    expect(service.refreshIfDue(false)).toBe(false);
    const reconnected = new Promise<void>((resolve) => service.once('reconnected', resolve));
    expect(service.refreshIfDue(true)).toBe(true);
    await reconnected;
    expect(handshakes).toEqual([handshakes[0], current]);
    // The new connection's token is fresh: no further reconnect.
    expect(service.refreshIfDue(true)).toBe(false);
  });

  it('reads a token’s life, and nothing from what is not a JWT', () => {
    expect(tokenLife(jwt(100, 200))).toEqual({ iat: 100, exp: 200 });
    expect(tokenLife('not-a-token')).toBeNull();
    expect(tokenLife('a.bm90IGpzb24.c')).toBeNull();
  });
});
