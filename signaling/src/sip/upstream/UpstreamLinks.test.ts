import type { UpstreamControl, UpstreamDialRequest, UpstreamStatus } from '@beacon/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../../store/index.ts';
import { SipBridge } from '../SipBridge.ts';

let store: Store;
let bridge: SipBridge;
let dials: { gatewaySocketId: string; request: UpstreamDialRequest }[];
let controls: { gatewaySocketId: string; control: UpstreamControl }[];
let statuses: UpstreamStatus[];

function gatewayUp(socketId: string): void {
  bridge.gatewayConnected(socketId);
  bridge.report(socketId, { kamailio: 'running', reason: null, registrations: [], inCall: [] });
}

beforeEach(async () => {
  store = await openStore({ file: ':memory:', seed: { demoPassword: 'beacon2026' } });
  bridge = new SipBridge({ store, realm: 'beacon', upstream: { uri: 'sip:6001@10.53.0.8:5060', pin: '2468' } });
  dials = [];
  controls = [];
  statuses = [];
  bridge.on('upstream', (event) => dials.push(event));
  bridge.on('upstreamcontrol', (event) => controls.push(event));
  bridge.upstream.on('status', (status) => statuses.push(status));
});

afterEach(async () => {
  bridge.upstream.close();
  await bridge.upstream.flush();
  await store.close();
});

describe('UpstreamLinks on the SIP bridge', () => {
  it('is off without a configured upstream: status says so and no link is made', () => {
    const off = new SipBridge({ store, realm: 'beacon' });
    expect(off.upstream.status('city-weekly')).toMatchObject({ configured: false, state: 'idle' });
    expect(off.upstream.link('city-weekly')).toBeNull();
  });

  it('sends the dial to the live gateway, routes controls to it, and audits the link coming up and dropping', async () => {
    gatewayUp('gw-old');
    gatewayUp('gw-new');
    const link = bridge.upstream.link('city-weekly');
    link?.connect();
    expect(dials).toHaveLength(1);
    const request = dials[0]?.request;
    expect(dials[0]?.gatewaySocketId).toBe('gw-new');
    expect(request).toMatchObject({ roomId: 'city-weekly', uri: 'sip:6001@10.53.0.8:5060', pin: '2468' });
    const requestId = request?.requestId ?? '';
    expect(bridge.upstreamState(requestId, 'answered', null)).toBe(true);
    expect(bridge.upstream.status('city-weekly').state).toBe('connected');
    link?.setSendMuted(true);
    expect(controls).toEqual([{ gatewaySocketId: 'gw-new', control: { requestId, action: 'mute' } }]);
    bridge.upstreamState(requestId, 'ended', 'rtp_timeout');
    expect(statuses.at(-1)).toMatchObject({ roomId: 'city-weekly', state: 'redialling', reason: 'rtp_timeout' });
    // Unknown requests are not ours: a phone dial-out's report is left to the dial-out records.
    expect(bridge.upstreamState('not-a-request', 'answered', null)).toBe(false);
    // Audited as the system's, written in the background (the link does not wait for the store).
    await vi.waitFor(async () => {
      const audit = (await store.audit.list()).map((entry) => [entry.action, entry.target, entry.actorId]);
      expect(audit).toEqual(
        expect.arrayContaining([
          ['upstream.connected', 'city-weekly', 'system'],
          ['upstream.dropped', 'city-weekly', 'system'],
        ]),
      );
    });
    link?.disconnect();
  });

  it('without a gateway the link waits to redial (sip_unavailable); a closed room hangs up for good', () => {
    const link = bridge.upstream.link('city-weekly');
    link?.connect();
    expect(dials).toEqual([]);
    expect(bridge.upstream.status('city-weekly')).toMatchObject({ state: 'redialling', reason: 'sip_unavailable' });
    gatewayUp('gw');
    link?.connect();
    expect(dials).toHaveLength(1);
    bridge.upstream.roomClosed('city-weekly');
    expect(controls.map((c) => c.control.action)).toEqual(['hangup']);
    expect(bridge.upstream.status('city-weekly').state).toBe('idle');
  });

  it('takes a call from the upstream’s address as the link, not one from another peer', async () => {
    gatewayUp('gw');
    expect(await bridge.acceptUpstream('gw', 'city-weekly', '10.53.0.9')).toBeNull();
    expect(bridge.upstream.status('city-weekly')).toMatchObject({ state: 'idle' });
    // Only a gateway that is connected may hand a call over.
    expect(await bridge.acceptUpstream('gw-gone', 'city-weekly', '10.53.0.8')).toBeNull();
    const taken = await bridge.acceptUpstream('gw', 'city-weekly', '10.53.0.8');
    expect(taken).not.toBeNull();
    expect(bridge.upstream.status('city-weekly')).toMatchObject({ state: 'connected', incoming: true });
    bridge.upstream.link('city-weekly')?.disconnect();
    expect(controls).toEqual([{ gatewaySocketId: 'gw', control: { requestId: taken?.requestId, action: 'hangup' } }]);
    await vi.waitFor(async () => {
      const entry = (await store.audit.list()).find((e) => e.action === 'upstream.connected');
      expect(entry?.detail).toMatchObject({ incoming: true });
    });
  });

  it('a host name in the URI is matched by what it resolves to', async () => {
    const named = new SipBridge({ store, realm: 'beacon', upstream: { uri: 'sip:6001@localhost:5070', pin: null } });
    expect(await named.upstream.isUpstreamSource('127.0.0.1')).toBe(true);
    expect(await named.upstream.isUpstreamSource('10.53.0.8')).toBe(false);
  });

  it('stores what the chair wants and a new start on the same store redials it once a gateway is up', async () => {
    const link = bridge.upstream.link('city-weekly');
    link?.setSendMuted(true);
    link?.connect();
    await bridge.upstream.flush();
    expect(await store.upstreamLinks.wanted()).toEqual([{ roomId: 'city-weekly', sendMuted: true }]);
    // The node stops: the calls go, the wish stays.
    bridge.upstream.close();
    await bridge.upstream.flush();
    expect(await store.upstreamLinks.wanted()).toHaveLength(1);

    const owned: string[] = [];
    const restarted = new SipBridge({
      store,
      realm: 'beacon',
      upstream: { uri: 'sip:6001@10.53.0.8:5060', pin: '2468' },
      ownsRoom: async (roomId) => {
        owned.push(roomId);
        return true;
      },
    });
    const redials: UpstreamDialRequest[] = [];
    restarted.on('upstream', ({ request }) => redials.push(request));
    restarted.gatewayConnected('gw');
    expect(redials).toEqual([]);
    restarted.report('gw', { kamailio: 'running', reason: null, registrations: [], inCall: [] });
    await vi.waitFor(() => expect(redials).toHaveLength(1));
    expect(owned).toEqual(['city-weekly']);
    expect(restarted.upstream.status('city-weekly')).toMatchObject({ state: 'dialling', sendMuted: true });
    // The chair ends it: nothing left to redial after the next start.
    restarted.upstream.link('city-weekly')?.disconnect();
    await restarted.upstream.flush();
    expect(await store.upstreamLinks.wanted()).toEqual([]);
    restarted.upstream.close();
  });

  it('a room another node owns is left to that node after a start', async () => {
    await store.upstreamLinks.want({ roomId: 'city-weekly', sendMuted: false });
    const other = new SipBridge({
      store,
      realm: 'beacon',
      upstream: { uri: 'sip:6001@10.53.0.8:5060', pin: null },
      ownsRoom: async () => false,
    });
    expect(await other.upstream.restore(async () => false)).toEqual([]);
    expect(other.upstream.status('city-weekly').state).toBe('idle');
  });
});
