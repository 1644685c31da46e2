/**
 * Training broadcast (培训直播) in real Chromium: a training room starts in
 * broadcast mode, the chair is the only sender, the audience joins view-only
 * (from the room list and by deep link) without a send transport and
 * receives the chair; a participant who joins normally does not reach the
 * others. The server refuses a send transport to an audience socket.
 */
import type { RoomView } from '@beacon/protocol';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumerLayers, liveInboundByPeer, type Terminal, testIdAttribute, waitForJoined } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { apiJson, type SignalingClient } from '../src/signaling.ts';

const ROOM = 'flood-training';

describe('training broadcast', () => {
  const e2e = useE2e();
  let chair: Terminal;
  let chairPeerId: string;
  const audience: Terminal[] = [];
  let participant: Terminal | undefined;
  const sockets: SignalingClient[] = [];

  beforeAll(async () => {
    await apiJson<RoomView>(e2e.url, await e2e.token('chair'), '/api/v1/rooms', {
      method: 'POST',
      body: JSON.stringify({ id: ROOM, title: '防汛培训', kind: 'training' }),
    });
  });

  const sendTransportStats = (page: Page) =>
    page.evaluate(async () => {
      const hook = (globalThis as unknown as { __beacon?: { sendTransportStats(): Promise<unknown[]> } }).__beacon;
      return (await hook?.sendTransportStats())?.length ?? -1;
    });

  it('a training room starts in broadcast mode with the chair presenting', async () => {
    chair = await e2e.openTerminal('chair', ROOM);
    await expect
      .poll(() => testIdAttribute(chair.page, 'mode-toggle', 'data-mode'), { timeout: 5_000 })
      .toBe('broadcast');
    const watcher = await e2e.client('duty');
    sockets.push(watcher);
    const joined = await watcher.join(ROOM, { audience: true });
    expect(joined.state.mode).toBe('broadcast');
    expect(joined.self.meetingRole).toBe('audience');
    chairPeerId = watcher.peerIdOf('u-chair');
    // View-only on the server too: no send transport for the audience.
    const refused = await watcher.request('transport:create', { direction: 'send' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('the audience joins view-only (room list and deep link): no send transport, the chair’s video and audio play', async () => {
    // From the room list. Townships land on their terminal page; the training is on the room list.
    const page = await e2e.openPage('lucheng', '#/rooms');
    await page.getByTestId(`join-audience-${ROOM}`).click();
    await waitForJoined(page);
    audience.push({ user: 'lucheng', context: page.context(), page });
    // By deep link.
    audience.push(await e2e.openTerminal('donggua', ROOM, { audience: true }));

    for (const viewer of audience) {
      await expect.poll(() => viewer.page.getByTestId('audience-badge').count(), { timeout: 5_000 }).toBe(1);
      expect(await sendTransportStats(viewer.page), 'send transport stats').toBe(0);
      await expect
        .poll(async () => (await liveInboundByPeer(viewer.page))[chairPeerId], { timeout: 20_000, interval: 0 })
        .toEqual({ video: true, audio: true });
      expect(await viewer.page.getByTestId('chair-toolbar').count()).toBe(0);
    }
  });

  it('a participant who joins normally is not forwarded to anyone: the chair is the only sender', async () => {
    participant = await e2e.openTerminal('lvhe', ROOM, { expectJoined: false });
    const joinedPage = participant.page;
    await expect
      .poll(
        async () =>
          `${await testIdAttribute(joinedPage, 'conference', 'data-state')}/${await testIdAttribute(joinedPage, 'conference', 'data-error-code')}`,
        { timeout: 30_000 },
      )
      .toMatch(/^joined\//);
    // It receives the chair like everyone…
    await expect
      .poll(async () => (await liveInboundByPeer(participant?.page as Page))[chairPeerId], {
        timeout: 20_000,
        interval: 0,
      })
      .toEqual({ video: true, audio: true });
    await chair.page.waitForTimeout(2_000);
    // …but neither the audience nor the chair consume anything from it.
    for (const page of [chair.page, ...audience.map((a) => a.page)]) {
      const fromOthers = (await consumerLayers(page)).filter((c) => c.peerId !== chairPeerId);
      expect(fromOthers, 'consumers of someone other than the chair').toEqual([]);
    }
    for (const viewer of audience) {
      expect((await consumerLayers(viewer.page)).map((c) => c.kind).sort()).toEqual(['audio', 'video']);
    }
  });

  it('the chair switches the room back to a meeting; the audience stays view-only and keeps receiving', async () => {
    await chair.page.getByTestId('mode-toggle').click();
    await expect
      .poll(() => testIdAttribute(chair.page, 'mode-toggle', 'data-mode'), { timeout: 5_000 })
      .toBe('meeting');
    await expect.poll(() => sockets[0]?.state?.mode, { timeout: 5_000 }).toBe('meeting');
    for (const viewer of audience) {
      expect(await sendTransportStats(viewer.page)).toBe(0);
      await expect
        .poll(async () => (await liveInboundByPeer(viewer.page))[chairPeerId], { timeout: 10_000, interval: 0 })
        .toEqual({ video: true, audio: true });
    }
  });
});
