/**
 * Two nodes' SIP bridges, the gateway connected to node B only, joined by an
 * in-memory stand-in for the sealed cluster channel (cluster/GatewayRelay.ts
 * is the real one; test/integration/upstream-gateway-cluster.test.ts runs it
 * with Redis, Kamailio and SIPp).
 */
import type { DialRequest, UpstreamControl, UpstreamDialRequest, UpstreamStatus } from '@beacon/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandBus } from '../command/CommandBus.ts';
import { EmergencyMeeting } from '../command/EmergencyMeeting.ts';
import { actor } from '../command/testing/actors.ts';
import { dialLeader } from '../duty/dutyCallSteps.ts';
import { openStore, type Store } from '../store/index.ts';
import type { RelayMessage, RemoteGateways } from './remoteGateways.ts';
import { SipBridge } from './SipBridge.ts';

const ROOM = 'city-weekly';
const upstream = { uri: 'sip:6001@10.53.0.8:5060', pin: null };

let store: Store;
let a: SipBridge;
let b: SipBridge;
/** What node B's gateway socket was asked. */
let gateway: { dials: DialRequest[]; upstream: UpstreamDialRequest[]; controls: UpstreamControl[] };
let statusesA: UpstreamStatus[];
let sent: { from: string; to: string; kind: string }[];
/** Who owns the room (RoomOwnership in a cluster). */
let owner: string;
let nodeBGone: boolean;

function remote(self: string, bridges: () => Record<string, SipBridge>): RemoteGateways {
  return {
    nodeId: self,
    gatewayNode: () => (self === 'node-a' && !nodeBGone ? 'node-b' : null),
    roomDriver: async () => owner,
    isDead: async (nodeId) => nodeId === 'node-b' && nodeBGone,
    async send(to: string, message: RelayMessage) {
      sent.push({ from: self, to, kind: message.kind });
      if (to === 'node-b' && nodeBGone) throw new Error('node-b is gone');
      await Promise.resolve();
      // As on the wire: JSON both ways.
      const target = bridges()[to] as SipBridge;
      return JSON.parse(JSON.stringify(await target.serveRelay(self, JSON.parse(JSON.stringify(message)))));
    },
  };
}

beforeEach(async () => {
  store = await openStore({ file: ':memory:', seed: { demoPassword: 'beacon2026' } });
  a = new SipBridge({ store, realm: 'beacon', upstream });
  b = new SipBridge({ store, realm: 'beacon', upstream });
  const bridges = () => ({ 'node-a': a, 'node-b': b });
  a.useCluster(remote('node-a', bridges));
  b.useCluster(remote('node-b', bridges));
  b.gatewayConnected('gw');
  b.report('gw', { kamailio: 'running', reason: null, registrations: [], inCall: [] });
  gateway = { dials: [], upstream: [], controls: [] };
  b.on('dial', ({ request }) => gateway.dials.push(request));
  b.on('upstream', ({ request }) => gateway.upstream.push(request));
  b.on('upstreamcontrol', ({ control }) => gateway.controls.push(control));
  a.on('upstream', () => expect.fail('node A has no gateway of its own'));
  statusesA = [];
  a.upstream.on('status', (status) => statusesA.push(status));
  sent = [];
  owner = 'node-a';
  nodeBGone = false;
});

afterEach(async () => {
  a.upstream.close();
  b.upstream.close();
  await a.upstream.flush();
  await store.close();
});

describe('the SIP bridge with the gateway on another node', () => {
  it('dials the owner’s link through node B’s gateway; progress and controls travel between the nodes', async () => {
    expect(a.available).toBe(false);
    expect(a.canCall).toBe(true);
    a.upstream.link(ROOM)?.connect();
    await vi.waitFor(() => expect(gateway.upstream).toHaveLength(1));
    const request = gateway.upstream[0] as UpstreamDialRequest;
    expect(request).toMatchObject({ roomId: ROOM, uri: upstream.uri });
    // The gateway reports to node B; node B passes it to the owner's link.
    expect(b.upstreamState(request.requestId, 'answered', null)).toBe(true);
    await vi.waitFor(() => expect(a.upstream.status(ROOM).state).toBe('connected'));
    expect(b.upstream.status(ROOM).state).toBe('idle');
    a.upstream.link(ROOM)?.setSendMuted(true);
    a.upstream.link(ROOM)?.disconnect();
    await vi.waitFor(() => expect(gateway.controls).toHaveLength(2));
    expect(gateway.controls).toEqual([
      { requestId: request.requestId, action: 'mute' },
      { requestId: request.requestId, action: 'hangup' },
    ]);
    expect(sent.map((m) => m.kind)).toEqual([
      'gateway:upstream',
      'gateway:callState',
      'gateway:upstreamControl',
      'gateway:upstreamControl',
    ]);
  });

  it('hands the upstream’s call-in on node B to the owner’s link: one driver', async () => {
    a.upstream.link(ROOM)?.setSendMuted(true);
    const accepted = await b.acceptUpstream('gw', ROOM, '10.53.0.8');
    expect(accepted).not.toBeNull();
    expect(a.upstream.status(ROOM)).toMatchObject({ state: 'connected', incoming: true });
    expect(b.upstream.status(ROOM).state).toBe('idle');
    // The owner's mute reached node B's gateway under the call's id (recorded before the owner answered).
    await vi.waitFor(() => expect(gateway.controls).toEqual([{ requestId: accepted?.requestId, action: 'mute' }]));
    // The upstream hangs up: the owner's link goes idle (nobody wanted it).
    expect(b.upstreamState(accepted?.requestId ?? '', 'ended', 'bye')).toBe(true);
    await vi.waitFor(() => expect(a.upstream.status(ROOM)).toMatchObject({ state: 'idle', reason: 'bye' }));
    // A source that is not the upstream's never reaches the owner.
    sent = [];
    expect(await b.acceptUpstream('gw', ROOM, '10.53.0.9')).toBeNull();
    expect(sent).toEqual([]);
  });

  it('takes the call-in on node B itself when node B drives the room', async () => {
    owner = 'node-b';
    expect(await b.acceptUpstream('gw', ROOM, '10.53.0.8')).not.toBeNull();
    expect(b.upstream.status(ROOM)).toMatchObject({ state: 'connected', incoming: true });
    expect(a.upstream.status(ROOM).state).toBe('idle');
  });

  it('relays a phone dial-out and its progress back to the dialler’s node', async () => {
    const states: string[] = [];
    a.on('dialstate', ({ record, state }) => states.push(`${record.diallerSocketId}:${state}`));
    const request = a.dial({ roomId: ROOM, extension: '8001', displayName: '鹿城镇', townshipId: 'lucheng' }, 'chair');
    await vi.waitFor(() => expect(gateway.dials).toEqual([request]));
    expect(b.dialState(request?.requestId ?? '', 'ringing', null)).toBe(true);
    expect(b.dialState(request?.requestId ?? '', 'answered', null)).toBe(true);
    await vi.waitFor(() => expect(states).toEqual(['chair:ringing', 'chair:answered']));
  });

  it('redials a link wanted before a restart once another node’s gateway is reachable', async () => {
    await store.upstreamLinks.want({ roomId: ROOM, sendMuted: true });
    const restarted = new SipBridge({ store, realm: 'beacon', upstream, ownsRoom: async () => true });
    restarted.useCluster(remote('node-a', () => ({ 'node-a': restarted, 'node-b': b })));
    restarted.remoteGatewayAvailable();
    await vi.waitFor(() => expect(gateway.upstream).toHaveLength(1));
    expect(gateway.upstream[0]).toMatchObject({ roomId: ROOM });
    expect(restarted.upstream.status(ROOM)).toMatchObject({ state: 'dialling', sendMuted: true });
    restarted.upstream.link(ROOM)?.disconnect();
    await restarted.upstream.flush();
    restarted.upstream.close();
  });

  it('counts a request node B cannot take as a failed try, and ends calls held by a node that died', async () => {
    a.upstream.link(ROOM)?.connect();
    await vi.waitFor(() => expect(gateway.upstream).toHaveLength(1));
    b.upstreamState(gateway.upstream[0]?.requestId ?? '', 'answered', null);
    await vi.waitFor(() => expect(a.upstream.status(ROOM).state).toBe('connected'));
    nodeBGone = true;
    await a.sweepRemote();
    expect(a.upstream.status(ROOM)).toMatchObject({ state: 'redialling', reason: 'failed: gateway_lost' });
    // Its gateway gone from the cluster, node A has nowhere to dial.
    expect(a.canCall).toBe(false);
    b.gatewayDisconnected('gw');
    nodeBGone = false;
    const phone = a.dial({ roomId: ROOM, extension: '8001', displayName: 'x', townshipId: null }, 'chair');
    const states: string[] = [];
    a.on('dialstate', ({ state, reason }) => states.push(`${state}:${reason}`));
    expect(phone).not.toBeNull();
    await vi.waitFor(() => expect(states).toEqual(['failed:sip_unavailable']));
  });
  it('dials the one-click emergency meeting’s desk phones through node B’s gateway', async () => {
    const meetings = new EmergencyMeeting({ bus: new CommandBus(store), sip: a });
    const result = await meetings.start(actor('u-duty', 'duty_officer'), {
      title: '龙川江水位超警',
      townshipIds: ['lucheng'],
      incidentId: null,
      source: {},
    });
    const lucheng = (await store.terminals.listByTownship('lucheng')).filter(
      (t) => t.kind === 'sip_phone' || t.kind === 'sip_video',
    );
    expect(lucheng.length).toBeGreaterThan(0);
    expect(result.dialled).toEqual(lucheng.map((t) => t.extension));
    await vi.waitFor(() => expect(gateway.dials.map((d) => d.extension)).toEqual(result.dialled));
    expect(gateway.dials.every((d) => d.roomId === result.roomId)).toBe(true);
    expect(sent.map((m) => m.kind)).toEqual(result.dialled.map(() => 'gateway:dial'));
    const audited = (await store.audit.list()).find((e) => e.action === 'meeting.emergency.dial');
    expect(audited?.detail).toEqual({ dialled: result.dialled });
  });

  it('dials the leader on duty through node B’s gateway; the progress reaches the duty call here', async () => {
    const states: string[] = [];
    a.on('dialstate', ({ record, state }) => states.push(`${record.diallerSocketId}:${state}`));
    const leader = {
      userId: 'u-leader',
      displayName: '带班领导',
      username: 'leader',
      role: 'leader',
      phone: '13800000000',
    };
    const step = dialLeader(a, { callId: 'call-1', roomId: 'duty-line-1', leader });
    expect(step).toMatchObject({ extension: '13800000000', outcome: expect.stringContaining('转带班领导') });
    await vi.waitFor(() => expect(gateway.dials).toHaveLength(1));
    expect(gateway.dials[0]).toMatchObject({ requestId: step.requestId, extension: '13800000000' });
    expect(b.dialState(step.requestId ?? '', 'answered', null)).toBe(true);
    await vi.waitFor(() => expect(states).toEqual(['duty:call-1:answered']));
  });
});
