import type { SipStatus } from '@beacon/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.ts';
import { SipBridge, type SipBridgeEvents } from './SipBridge.ts';

let store: Store;
let bridge: SipBridge;
let seen: { [K in keyof SipBridgeEvents]: SipBridgeEvents[K][] };

beforeEach(async () => {
  store = await openStore({ file: ':memory:', seed: { demoPassword: 'beacon2026' } });
  bridge = new SipBridge({ store, realm: 'beacon' });
  await bridge.loadPhones();
  seen = {
    status: [],
    dial: [],
    dialstate: [],
    credentials: [],
    alertcall: [],
    broadcast: [],
    upstream: [],
    upstreamcontrol: [],
  };
  for (const event of Object.keys(seen) as (keyof SipBridgeEvents)[]) {
    const record = (...args: unknown[]) => (seen[event] as unknown[][]).push(args);
    bridge.on(event, record as never);
  }
});
afterEach(() => store.close());

const report = (kamailio: 'running' | 'unavailable' = 'running') => ({
  kamailio,
  reason: kamailio === 'running' ? null : 'kamailio_not_installed',
  registrations: [
    { extension: '8001', contact: 'sip:8001@127.0.0.1:5071', expiresAt: '2026-01-01T00:00:00.000Z' },
    { extension: '8999', contact: 'sip:8999@127.0.0.1:5072', expiresAt: null },
  ],
  inCall: ['8001'],
});

describe('SipBridge status', () => {
  it('is unavailable without a gateway, listing every phone as unregistered', () => {
    const status = bridge.status();
    expect(status).toMatchObject({ available: false, reason: 'gateway_not_connected' });
    expect(status.registrations).toHaveLength(15);
    expect(status.registrations.every((r) => !r.registered && !r.inCall)).toBe(true);
  });

  it('merges the report with the store and forgets it when the gateway goes', () => {
    bridge.gatewayConnected('s1');
    bridge.report('s1', report());
    const status = seen.status.at(-1)?.[0] as SipStatus;
    expect(status).toMatchObject({ available: true, reason: null });
    expect(status.registrations.find((r) => r.extension === '8001')).toEqual({
      extension: '8001',
      terminalId: 'ph-lucheng',
      townshipId: 'lucheng',
      registered: true,
      contact: 'sip:8001@127.0.0.1:5071',
      expiresAt: '2026-01-01T00:00:00.000Z',
      inCall: true,
    });
    expect(status.registrations.find((r) => r.extension === '8002')).toMatchObject({
      registered: false,
      inCall: false,
    });
    expect(status.registrations.at(-1)).toMatchObject({ extension: '8999', terminalId: null, registered: true });

    bridge.gatewayDisconnected('s1');
    const after = seen.status.at(-1)?.[0] as SipStatus;
    expect(after).toMatchObject({ available: false, reason: 'gateway_not_connected' });
    expect(after.registrations.some((r) => r.registered)).toBe(false);
  });

  it("passes on Kamailio's own reason when it is down", () => {
    bridge.gatewayConnected('s1');
    bridge.report('s1', report('unavailable'));
    expect(bridge.available).toBe(false);
    expect(bridge.status()).toMatchObject({ available: false, reason: 'kamailio_not_installed' });
  });
});

describe('SipBridge dial-outs', () => {
  it('sends to the newest gateway and relays progress until a final state', () => {
    expect(bridge.dial({ roomId: 'r', extension: '8001', displayName: 'x', townshipId: null }, 'c1')).toBeNull();
    bridge.gatewayConnected('old');
    bridge.gatewayConnected('new');
    const request = bridge.dial({ roomId: 'r', extension: '8001', displayName: 'x', townshipId: 'lucheng' }, 'c1');
    expect(seen.dial).toEqual([[{ gatewaySocketId: 'new', request }]]);
    const requestId = request?.requestId ?? '';
    expect(bridge.dialState(requestId, 'ringing', null)).toBe(true);
    expect(bridge.dialState(requestId, 'busy', 'busy here')).toBe(true);
    expect(bridge.dialState(requestId, 'ended', null)).toBe(false);
    expect(seen.dialstate.map(([e]) => [e.record.diallerSocketId, e.state])).toEqual([
      ['c1', 'ringing'],
      ['c1', 'busy'],
    ]);
  });
});
