/**
 * A console stays signed in, and in its meeting, past its first token's
 * expiry: it renews the token before it expires and hands the new one to its
 * socket. A client that does not renew is closed at its token's expiry.
 * Tokens live 20 s here (the console renews a fifth of the lifetime early).
 */
import { describe, expect, it } from 'vitest';
import { useE2e } from '../src/e2eFixture.ts';
import { waitFor } from '../src/waitFor.ts';

const ROOM = 'city-weekly';
const TTL_SECONDS = 20;

/** The `exp` of a JWT, in ms. */
const expiryOf = (token: string): number =>
  (JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { exp: number }).exp * 1000;

describe('a console session outlives its first token', () => {
  const e2e = useE2e({ beacon: { env: { BEACON_JWT_TTL_SECONDS: String(TTL_SECONDS) } } });

  it('renews it: the chair stays in the meeting while a client that does not renew is closed', async () => {
    const idle = await e2e.client('duty');
    await idle.join(ROOM);
    const idleClosed = new Promise<void>((resolve) => idle.socket.once('disconnect', () => resolve()));

    const page = await e2e.openPage('chair', `#/room/${ROOM}`);
    const conference = page.getByTestId('conference');
    await expect.poll(() => conference.getAttribute('data-state'), { timeout: 30_000 }).toBe('joined');
    const storedToken = () =>
      page.evaluate(() => {
        const storage = (globalThis as unknown as { localStorage: { getItem(key: string): string | null } })
          .localStorage;
        return (JSON.parse(storage.getItem('beacon.session') ?? '{}') as { token?: string }).token;
      });
    const firstToken = (await storedToken()) as string;
    expect(firstToken).toEqual(expect.any(String));

    // Watch the conference while the first token runs out: a dropped socket would show as reconnecting.
    const states = new Set<string>();
    const watching = setInterval(() => {
      void conference
        .getAttribute('data-state', { timeout: 1000 })
        .then((state) => states.add(state ?? 'none'))
        .catch(() => states.add('gone'));
    }, 200);
    try {
      // The client that does not renew is closed (at its token's expiry, the integration test checks when).
      await idleClosed;
      await waitFor(
        'the first token to be 2 s past its expiry',
        () => Date.now(),
        (now) => now > expiryOf(firstToken) + 2000,
        {
          timeoutMs: (TTL_SECONDS + 10) * 1000,
        },
      );
    } finally {
      clearInterval(watching);
    }

    const renewed = await storedToken();
    expect(renewed).toEqual(expect.any(String));
    expect(renewed).not.toBe(firstToken);
    expect(expiryOf(renewed as string)).toBeGreaterThan(expiryOf(firstToken));
    expect([...states]).toEqual(['joined']);
    expect(await page.getByTestId('login-username').count()).toBe(0);
    const socketUp = await page.evaluate(() =>
      (globalThis as unknown as { __beacon?: { socketConnected(): boolean } }).__beacon?.socketConnected(),
    );
    expect(socketUp).toBe(true);
    // The server still has the chair in the room.
    const rooms = await fetch(`${e2e.url}/api/v1/rooms`, {
      headers: { authorization: `Bearer ${await e2e.token('duty')}` },
    });
    const room = ((await rooms.json()) as { id: string; participants: number }[]).find((r) => r.id === ROOM);
    expect(room?.participants).toBe(1);
  }, 90_000);
});
