/**
 * Chairing a meeting in real Chromium: the chair (市领导) and three townships
 * (鹿城镇, 东瓜镇, 吕合镇) in one room. A fourth township (紫溪镇) is a
 * socket.io client without media: it reads the server's state (peers,
 * room state) and tries chair actions it is not allowed to do.
 *
 * The tests run in order and share the meeting, as a real meeting would.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conferenceState,
  consumerLayers,
  inboundStats,
  liveInboundStreams,
  participantAttribute,
  type Terminal,
  testIdAttribute,
  waitForJoined,
} from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { apiJson, type SignalingClient } from '../src/signaling.ts';

const ROOM = 'city-weekly';
const NAMES = { lucheng: '鹿城镇', donggua: '东瓜镇', lvhe: '吕合镇' } as const;
type Township = keyof typeof NAMES;
const TOWNSHIPS = Object.keys(NAMES) as Township[];

describe('chairing a meeting', () => {
  const e2e = useE2e();
  /** Server state, as the socket of a township without media (紫溪镇) sees it. */
  let observer: SignalingClient;
  let chair: Terminal;
  const towns = {} as Record<Township, Terminal>;
  const extra: Terminal[] = [];
  const peerIds = {} as Record<Township | 'chair', string>;

  const allTerminals = (): Terminal[] => [chair, ...TOWNSHIPS.map((t) => towns[t]), ...extra].filter(Boolean);
  const pages = (): Page[] => allTerminals().map((t) => t.page);

  beforeAll(async () => {
    observer = await e2e.client('zixi');
  });

  e2e.diagnose('server state seen by the observer', () => observer?.state);
  e2e.diagnose('peers (user, muted by, role, connection)', () =>
    [...(observer?.peers.values() ?? [])].map((p) => [p.userId, p.audioMutedBy, p.meetingRole, p.connection]),
  );

  const mainViewPeer = (page: Page) => testIdAttribute(page, 'main-view', 'data-peer-id');
  const banner = async (page: Page) => {
    const locator = page.getByTestId('banner').first();
    if ((await locator.count()) === 0) return null;
    // It may go away between count() and the reads: short timeouts, absent = null.
    const reason = await locator.getAttribute('data-reason', { timeout: 1_000 }).catch(() => undefined);
    const text = await locator.textContent({ timeout: 1_000 }).catch(() => undefined);
    return reason === undefined || text === undefined ? null : { reason, text: text ?? '' };
  };
  /** Shows the participant list (the side panel may be on the chat tab). */
  const showParticipants = async (page: Page) => {
    const tab = page.getByTestId('participants-tab');
    if ((await tab.count()) > 0) await tab.click();
  };
  /** A chair action button inside `page`'s (the chair's by default) participant entry of `peerId`. */
  const clickParticipantAction = async (peerId: string, action: string, page = chair.page) => {
    await showParticipants(page);
    await page.locator(`[data-testid="participant"][data-peer-id="${peerId}"]`).getByTestId(action).click();
  };
  /** `data-audio-muted-by` of every township's entry on one page. */
  const mutedByOnPage = async (page: Page) =>
    Object.fromEntries(
      await Promise.all(
        TOWNSHIPS.map(async (t) => [t, await participantAttribute(page, peerIds[t], 'data-audio-muted-by')] as const),
      ),
    );
  const serverMutedBy = () =>
    Object.fromEntries(
      TOWNSHIPS.map((t) => {
        const peer = observer.peers.get(peerIds[t]);
        return [t, peer ? peer.audioMutedBy : 'absent'];
      }),
    );

  it('the chair and three townships join; the server sees them connected and unmuted', async () => {
    chair = await e2e.openTerminal('chair', ROOM);
    for (const t of TOWNSHIPS) towns[t] = await e2e.openTerminal(t, ROOM);
    await observer.join(ROOM);
    peerIds.chair = observer.peerIdOf('u-chair');
    for (const t of TOWNSHIPS) peerIds[t] = observer.peerIdOf(`u-${t}`);

    expect(observer.peers.get(peerIds.chair)?.meetingRole).toBe('chair');
    for (const t of TOWNSHIPS) {
      expect(observer.peers.get(peerIds[t])).toMatchObject({ meetingRole: 'participant', audioMuted: false });
    }
    // Everyone's participant list shows the others; the chair hears the three townships.
    for (const page of pages()) {
      for (const t of TOWNSHIPS) {
        await expect
          .poll(() => participantAttribute(page, peerIds[t], 'data-connection'), { timeout: 15_000 })
          .toBe('connected');
      }
    }
    await expect
      .poll(async () => (await liveInboundStreams(chair.page)).audio, { timeout: 30_000, interval: 500 })
      .toBe(3);
  });

  it('a township trying chair actions is refused with forbidden and nothing changes', async () => {
    const stateBefore = JSON.stringify(observer.state);
    const mutedBefore = serverMutedBy();
    expect(Object.values(mutedBefore)).toEqual([null, null, null]);

    for (const [event, payload] of [
      ['moderation:muteAll', {}],
      ['moderation:mute', { peerId: peerIds.lucheng, kind: 'audio' }],
      ['moderation:lock', { locked: true }],
      ['rollcall:set', { peerId: peerIds.donggua }],
      ['moderation:end', {}],
    ] as const) {
      const res = await observer.request(event, payload);
      expect(res, event).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    // A round trip later: no state or peer change reached anyone.
    await observer.request('speak:cancel', {});
    await chair.page.waitForTimeout(1_000);
    expect(JSON.stringify(observer.state)).toBe(stateBefore);
    expect(serverMutedBy()).toEqual(mutedBefore);
    expect(await mutedByOnPage(chair.page)).toEqual({ lucheng: '', donggua: '', lvhe: '' });
    expect(await testIdAttribute(chair.page, 'lock-toggle', 'data-locked')).toBe('false');
    for (const t of TOWNSHIPS) expect(await conferenceState(towns[t].page)).toBe('joined');
    expect((await liveInboundStreams(chair.page)).audio).toBe(3);
    // The township's own UI offers no chair controls.
    for (const id of ['mute-all', 'lock-toggle', 'end-meeting', 'polling-open', 'recording-toggle']) {
      expect(await towns.lucheng.page.getByTestId(id).count(), id).toBe(0);
    }
    expect(await towns.lucheng.page.getByTestId('participant-mute').count()).toBe(0);
  });

  it('the chair mutes one township: UI says muted by the chair and its audio stops', async () => {
    await clickParticipantAction(peerIds.lucheng, 'participant-mute');
    for (const page of pages()) {
      await expect
        .poll(() => participantAttribute(page, peerIds.lucheng, 'data-audio-muted-by'), { timeout: 5_000 })
        .toBe('chair');
    }
    await expect.poll(() => observer.peers.get(peerIds.lucheng)?.audioMutedBy, { timeout: 5_000 }).toBe('chair');
    await expect
      .poll(async () => (await liveInboundStreams(chair.page)).audio, { timeout: 10_000, interval: 500 })
      .toBe(2);
  });

  it('mute-all leaves only the chair unmuted (every page and the server) and their audio stops at the chair', async () => {
    await chair.page.getByTestId('mute-all').click();
    for (const page of pages()) {
      await expect
        .poll(() => mutedByOnPage(page), { timeout: 5_000 })
        .toEqual({ lucheng: 'chair', donggua: 'chair', lvhe: 'chair' });
    }
    for (const page of pages().slice(1)) {
      expect(await participantAttribute(page, peerIds.chair, 'data-audio-muted-by')).toBe('');
    }
    await expect.poll(serverMutedBy, { timeout: 5_000 }).toEqual({ lucheng: 'chair', donggua: 'chair', lvhe: 'chair' });
    expect(observer.peers.get(peerIds.chair)?.audioMuted).toBe(false);
    // No township audio reaches the chair; the townships still hear the chair.
    await expect
      .poll(async () => (await liveInboundStreams(chair.page)).audio, { timeout: 10_000, interval: 500 })
      .toBe(0);
    await expect
      .poll(async () => (await liveInboundStreams(towns.donggua.page)).audio, { timeout: 10_000, interval: 500 })
      .toBe(1);
  });

  it('roll call switches every main view to the township, names it in a banner and opens its mic', async () => {
    await clickParticipantAction(peerIds.lucheng, 'participant-rollcall');
    for (const page of pages()) {
      await expect.poll(() => mainViewPeer(page), { timeout: 5_000 }).toBe(peerIds.lucheng);
      await expect.poll(() => banner(page), { timeout: 5_000 }).toMatchObject({ reason: 'rollcall' });
      expect((await banner(page))?.text).toContain(NAMES.lucheng);
      await expect
        .poll(() => participantAttribute(page, peerIds.lucheng, 'data-audio-muted-by'), { timeout: 5_000 })
        .toBe('');
    }
    // Server state: the room's spotlight and the township's mic.
    expect(observer.state).toMatchObject({ spotlightPeerId: peerIds.lucheng, spotlightReason: 'rollcall' });
    await expect
      .poll(() => observer.peers.get(peerIds.lucheng), { timeout: 5_000 })
      .toMatchObject({ audioMuted: false, audioMutedBy: null });
    // Its audio (the only unmuted township) now arrives at the chair and at another township.
    await expect
      .poll(async () => (await liveInboundStreams(chair.page)).audio, { timeout: 10_000, interval: 500 })
      .toBe(1);
    await expect
      .poll(async () => (await liveInboundStreams(towns.donggua.page)).audio, { timeout: 10_000, interval: 500 })
      .toBe(2);

    await chair.page.getByTestId('rollcall-stop').click();
    await expect.poll(() => observer.state?.spotlightReason ?? null, { timeout: 5_000 }).not.toBe('rollcall');
    for (const page of pages()) {
      await expect.poll(async () => (await banner(page))?.reason ?? null, { timeout: 5_000 }).not.toBe('rollcall');
    }
  });

  it('polling over two townships every 5 s rotates the main view at least twice; pause holds it, stop ends it', async () => {
    const a = peerIds.donggua;
    const b = peerIds.lvhe;
    await chair.page.getByTestId('polling-open').click();
    const boxes = chair.page.getByTestId('polling-peer');
    await expect.poll(() => boxes.count(), { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    for (const box of await boxes.all()) {
      const selected = [a, b].includes((await box.getAttribute('data-peer-id')) ?? '');
      await box.setChecked(selected);
    }
    await chair.page.getByTestId('polling-interval').fill('5');
    await chair.page.getByTestId('polling-start').click();

    await expect
      .poll(() => observer.state?.polling ?? null, { timeout: 5_000 })
      .toMatchObject({
        peerIds: [a, b],
        intervalSeconds: 5,
        paused: false,
      });

    // Watch a township's page and the chair's page: the main view goes A→B→A (or B→A→B).
    const watch = async (page: Page) => {
      const seen: (string | null)[] = [];
      const deadline = Date.now() + 25_000;
      while (Date.now() < deadline) {
        const now = await mainViewPeer(page);
        if (seen.at(-1) !== now) seen.push(now);
        const tail = seen.filter((p) => p === a || p === b);
        if (tail.length >= 3) break;
        await page.waitForTimeout(250);
      }
      return seen;
    };
    const [onTown, onChair] = await Promise.all([watch(towns.lucheng.page), watch(chair.page)]);
    for (const seen of [onTown, onChair]) {
      const rotation = seen.filter((p) => p === a || p === b);
      expect(rotation.length, `main views seen: ${seen}`).toBeGreaterThanOrEqual(3);
      expect(rotation[1]).not.toBe(rotation[0]);
      expect(rotation[2]).toBe(rotation[0]);
    }
    const polled = await banner(towns.lucheng.page);
    expect(polled?.reason).toBe('polling');
    const current = await mainViewPeer(towns.lucheng.page);
    expect(polled?.text).toContain(current === a ? NAMES.donggua : NAMES.lvhe);

    // Pause: the server says paused and the main view stays longer than one interval.
    await chair.page.getByTestId('polling-pause').click();
    await expect.poll(() => observer.state?.polling?.paused, { timeout: 5_000 }).toBe(true);
    const held = await mainViewPeer(towns.lucheng.page);
    await towns.lucheng.page.waitForTimeout(7_000);
    expect(await mainViewPeer(towns.lucheng.page)).toBe(held);
    expect(await mainViewPeer(chair.page)).toBe(held);

    await chair.page.getByTestId('polling-resume').click();
    await expect.poll(() => observer.state?.polling?.paused, { timeout: 5_000 }).toBe(false);
    await expect.poll(() => mainViewPeer(towns.lucheng.page), { timeout: 12_000 }).not.toBe(held);

    await chair.page.getByTestId('polling-stop').click();
    await expect.poll(() => observer.state?.polling ?? null, { timeout: 5_000 }).toBeNull();
    for (const page of pages()) {
      await expect.poll(async () => (await banner(page))?.reason ?? null, { timeout: 5_000 }).not.toBe('polling');
    }
  });

  it('speak request: the chair grants one (mic opens, spotlight, result shown) and denies another', async () => {
    // Start from everyone muted by the chair, so "the mic opens" is observable.
    await chair.page.getByTestId('mute-all').click();
    await expect.poll(serverMutedBy, { timeout: 5_000 }).toEqual({ lucheng: 'chair', donggua: 'chair', lvhe: 'chair' });
    await expect
      .poll(async () => (await liveInboundStreams(chair.page)).audio, { timeout: 10_000, interval: 500 })
      .toBe(0);

    const donggua = towns.donggua.page;
    await donggua.getByTestId('speak-request').click();
    await expect.poll(() => testIdAttribute(donggua, 'speak-request', 'data-pending'), { timeout: 5_000 }).toBe('true');
    const item = chair.page.locator(`[data-testid="speak-queue-item"][data-peer-id="${peerIds.donggua}"]`);
    await expect.poll(() => item.count(), { timeout: 5_000 }).toBe(1);
    expect(observer.state?.speakQueue.map((r) => r.peerId)).toEqual([peerIds.donggua]);

    await item.getByTestId('speak-grant').click();
    await expect.poll(() => testIdAttribute(donggua, 'speak-result', 'data-granted'), { timeout: 5_000 }).toBe('true');
    for (const page of pages()) {
      await expect.poll(() => mainViewPeer(page), { timeout: 5_000 }).toBe(peerIds.donggua);
      await expect.poll(() => banner(page), { timeout: 5_000 }).toMatchObject({ reason: 'speak' });
      expect((await banner(page))?.text).toContain(NAMES.donggua);
    }
    expect(await participantAttribute(chair.page, peerIds.donggua, 'data-audio-muted-by')).toBe('');
    await expect.poll(() => observer.peers.get(peerIds.donggua)?.audioMuted, { timeout: 5_000 }).toBe(false);
    expect(observer.state?.speakQueue).toEqual([]);
    await expect
      .poll(async () => (await liveInboundStreams(chair.page)).audio, { timeout: 10_000, interval: 500 })
      .toBe(1);

    // Deny: the requester sees it, its mic stays muted by the chair, the queue empties.
    const lvhe = towns.lvhe.page;
    await lvhe.getByTestId('speak-request').click();
    const denied = chair.page.locator(`[data-testid="speak-queue-item"][data-peer-id="${peerIds.lvhe}"]`);
    await expect.poll(() => denied.count(), { timeout: 5_000 }).toBe(1);
    await denied.getByTestId('speak-deny').click();
    await expect.poll(() => testIdAttribute(lvhe, 'speak-result', 'data-granted'), { timeout: 5_000 }).toBe('false');
    await expect.poll(() => denied.count(), { timeout: 5_000 }).toBe(0);
    expect(observer.state?.speakQueue).toEqual([]);
    expect(await participantAttribute(chair.page, peerIds.lvhe, 'data-audio-muted-by')).toBe('chair');
    expect(observer.peers.get(peerIds.lvhe)?.audioMuted).toBe(true);
    expect(await testIdAttribute(lvhe, 'speak-request', 'data-pending')).not.toBe('true');
  });

  it('chat reaches everyone, is stored with the meeting and is still there after a reload', async () => {
    const text = `鹿城镇报告：道路畅通 ${Date.now()}`;
    const messageOn = (page: Page) =>
      page.locator('[data-testid="chat-message"][data-user-id="u-lucheng"]').filter({ hasText: text });

    const sender = towns.lucheng.page;
    await sender.getByTestId('chat-tab').click();
    await sender.getByTestId('chat-input').fill(text);
    await sender.getByTestId('chat-send').click();

    for (const page of pages()) {
      if (page !== sender) await page.getByTestId('chat-tab').click();
      await expect.poll(() => messageOn(page).count(), { timeout: 5_000 }).toBe(1);
    }
    await expect
      .poll(() => observer.events.some((e) => e.event === 'chat:message' && (e.data as { text: string }).text === text))
      .toBe(true);
    const chairToken = await e2e.token('chair');
    const stored = await apiJson<{ userId: string; text: string }[]>(e2e.url, chairToken, `/api/v1/rooms/${ROOM}/chat`);
    expect(stored.filter((m) => m.text === text)).toMatchObject([{ userId: 'u-lucheng' }]);

    const reloaded = towns.donggua.page;
    await reloaded.reload();
    await waitForJoined(reloaded);
    await reloaded.getByTestId('chat-tab').click();
    await expect.poll(() => messageOn(reloaded).count(), { timeout: 10_000 }).toBe(1);
    // A reload is a new join (or a resume): the reloaded page is connected under some peerId…
    const before = peerIds.donggua;
    await expect
      .poll(() => [...observer.peers.values()].some((p) => p.userId === 'u-donggua' && p.connection === 'connected'), {
        timeout: 10_000,
      })
      .toBe(true);
    const connected = [...observer.peers.values()].filter(
      (p) => p.userId === 'u-donggua' && p.connection === 'connected',
    );
    peerIds.donggua = (connected.find((p) => p.peerId !== before) ?? connected[0])?.peerId as string;
    for (const page of pages()) await showParticipants(page);
    // …and the others list 东瓜镇 once, not also as a "reconnecting" ghost of the page before the reload.
    await expect
      .poll(() => [...observer.peers.values()].filter((p) => p.userId === 'u-donggua').map((p) => p.connection), {
        timeout: 10_000,
      })
      .toEqual(['connected']);
    expect(
      await chair.page.locator(`[data-testid="participant"][data-peer-id="${before}"]`).count(),
      'entry of the page before the reload',
    ).toBe(peerIds.donggua === before ? 1 : 0);
  });

  it('a locked meeting refuses a new joiner with room_locked; unlocked, the same user gets in', async () => {
    await chair.page.getByTestId('lock-toggle').click();
    await expect.poll(() => testIdAttribute(chair.page, 'lock-toggle', 'data-locked'), { timeout: 5_000 }).toBe('true');
    await expect.poll(() => observer.state?.locked, { timeout: 5_000 }).toBe(true);

    const late = await e2e.openTerminal('donghua', ROOM, { expectJoined: false });
    extra.push(late);
    await expect.poll(() => conferenceState(late.page), { timeout: 15_000 }).toBe('error');
    expect(await testIdAttribute(late.page, 'conference', 'data-error-code')).toBe('room_locked');
    expect(((await late.page.getByTestId('conference').textContent()) ?? '').trim()).not.toBe('');
    expect(observer.peerOf('u-donghua')).toBeUndefined();
    expect(await chair.page.locator('[data-testid="participant"]').filter({ hasText: '东华镇' }).count()).toBe(0);

    await chair.page.getByTestId('lock-toggle').click();
    await expect.poll(() => observer.state?.locked, { timeout: 5_000 }).toBe(false);
    await late.page.reload();
    await waitForJoined(late.page);
    await expect.poll(() => observer.peerOf('u-donghua')?.connection, { timeout: 5_000 }).toBe('connected');
  });

  it('a screen share becomes everyone’s main view (source screen, banner) until it stops', async () => {
    const lvheVideo = async () =>
      (await consumerLayers(chair.page)).filter((c) => c.peerId === peerIds.lvhe && c.kind === 'video');
    const cameraConsumers = (await lvheVideo()).map((c) => c.consumerId);
    expect(cameraConsumers).toHaveLength(1);
    await towns.lvhe.page.getByTestId('toggle-screen').click();
    for (const page of pages()) {
      await expect.poll(() => mainViewPeer(page), { timeout: 10_000 }).toBe(peerIds.lvhe);
      await expect.poll(() => testIdAttribute(page, 'main-view', 'data-source'), { timeout: 10_000 }).toBe('screen');
      await expect.poll(() => banner(page), { timeout: 5_000 }).toMatchObject({ reason: 'screen' });
      expect((await banner(page))?.text).toContain(NAMES.lvhe);
    }
    expect(observer.peers.get(peerIds.lvhe)?.screenSharing).toBe(true);
    expect(observer.state).toMatchObject({ spotlightPeerId: peerIds.lvhe, spotlightReason: 'screen' });
    // A second video producer from 吕合镇: the chair consumes it and decodes its frames.
    let screenConsumer: string | undefined;
    await expect
      .poll(
        async () => {
          screenConsumer = (await lvheVideo()).find((c) => !cameraConsumers.includes(c.consumerId))?.consumerId;
          return screenConsumer;
        },
        { timeout: 10_000 },
      )
      .toBeDefined();
    const framesOf = async () =>
      (await inboundStats(chair.page)).find((st) => st.trackIdentifier === screenConsumer)?.framesDecoded ?? 0;
    const framesBefore = await framesOf();
    await expect.poll(framesOf, { timeout: 10_000 }).toBeGreaterThan(framesBefore + 5);

    await towns.lvhe.page.getByTestId('toggle-screen').click();
    await expect.poll(() => observer.peers.get(peerIds.lvhe)?.screenSharing, { timeout: 5_000 }).toBe(false);
    for (const page of pages()) {
      await expect
        .poll(() => testIdAttribute(page, 'main-view', 'data-source'), { timeout: 10_000 })
        .not.toBe('screen');
      await expect.poll(async () => (await banner(page))?.reason ?? null, { timeout: 5_000 }).not.toBe('screen');
    }
  });

  it('a co-chair gets the chair controls and can mute a township', async () => {
    await clickParticipantAction(peerIds.donggua, 'participant-cochair');
    await expect.poll(() => observer.peers.get(peerIds.donggua)?.meetingRole, { timeout: 5_000 }).toBe('cochair');
    await expect
      .poll(() => participantAttribute(chair.page, peerIds.donggua, 'data-meeting-role'), { timeout: 5_000 })
      .toBe('cochair');
    const cochair = towns.donggua.page;
    await expect.poll(() => cochair.getByTestId('mute-all').count(), { timeout: 5_000 }).toBe(1);
    // Unmute 吕合镇 as the chair, then mute it as the co-chair.
    await clickParticipantAction(peerIds.lvhe, 'participant-unmute');
    await expect.poll(() => observer.peers.get(peerIds.lvhe)?.audioMutedBy ?? null, { timeout: 5_000 }).toBeNull();
    await clickParticipantAction(peerIds.lvhe, 'participant-mute', cochair);
    await expect.poll(() => observer.peers.get(peerIds.lvhe)?.audioMutedBy, { timeout: 5_000 }).toBe('chair');
    await expect
      .poll(() => participantAttribute(towns.lvhe.page, peerIds.lvhe, 'data-audio-muted-by'), { timeout: 5_000 })
      .toBe('chair');
  });

  it('the chair removes a participant: its page says removed, the others no longer list it', async () => {
    await clickParticipantAction(peerIds.lvhe, 'participant-remove');
    const confirm = chair.page.getByTestId('confirm-ok');
    if (await confirm.isVisible({ timeout: 1_000 }).catch(() => false)) await confirm.click();
    await expect.poll(() => conferenceState(towns.lvhe.page), { timeout: 5_000 }).toBe('removed');
    await expect.poll(() => observer.peers.has(peerIds.lvhe), { timeout: 5_000 }).toBe(false);
    for (const page of [chair.page, towns.lucheng.page, towns.donggua.page]) {
      await expect
        .poll(() => page.locator(`[data-testid="participant"][data-peer-id="${peerIds.lvhe}"]`).count(), {
          timeout: 5_000,
        })
        .toBe(0);
    }
  });

  it('the chair hands chairing to 东瓜镇, which then ends the meeting for everyone', async () => {
    await clickParticipantAction(peerIds.donggua, 'participant-make-chair');
    const confirm = chair.page.getByTestId('confirm-ok');
    if (await confirm.isVisible({ timeout: 1_000 }).catch(() => false)) await confirm.click();
    await expect.poll(() => observer.peers.get(peerIds.donggua)?.meetingRole, { timeout: 5_000 }).toBe('chair');
    await expect.poll(() => observer.peers.get(peerIds.chair)?.meetingRole, { timeout: 5_000 }).not.toBe('chair');
    // The old chair lost the chair-only controls; the new chair has them.
    await expect.poll(() => chair.page.getByTestId('end-meeting').count(), { timeout: 5_000 }).toBe(0);
    const newChair = towns.donggua.page;
    await expect.poll(() => newChair.getByTestId('end-meeting').count(), { timeout: 5_000 }).toBe(1);

    await newChair.getByTestId('end-meeting').click();
    await newChair.getByTestId('confirm-ok').click();
    for (const t of [chair, towns.lucheng, towns.donggua, ...extra]) {
      await expect.poll(() => conferenceState(t.page), { timeout: 10_000 }).toBe('ended');
    }
    expect(observer.events.some((e) => e.event === 'room:ended')).toBe(true);
  });
});
