import type { SipStatus } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { ConsoleError } from '../errors.ts';
import { PhoneDialer, type PhoneDialerPort } from './PhoneDialer.ts';

/** The server side of the dialer, answered by hand so a test decides order and outcome. */
class ServerStandIn implements PhoneDialerPort {
  readonly dials: { extension: string; resolve: (id: string) => void; reject: (e: Error) => void }[] = [];
  statusFetches = 0;
  status: SipStatus | Error = { available: true, reason: null, registrations: [] };

  dial(extension: string): Promise<{ requestId: string }> {
    return new Promise((resolve, reject) => {
      this.dials.push({ extension, resolve: (requestId) => resolve({ requestId }), reject });
    });
  }

  async fetchStatus(): Promise<SipStatus> {
    this.statusFetches++;
    if (this.status instanceof Error) throw this.status;
    return this.status;
  }
}

const unavailable: SipStatus = { available: false, reason: 'gateway_not_connected', registrations: [] };

function setup() {
  const server = new ServerStandIn();
  return { server, dialer: new PhoneDialer(server) };
}

describe('PhoneDialer', () => {
  it('follows a dial from the ack through the gateway states', async () => {
    const { server, dialer } = setup();
    const placed = dialer.dial('8001');
    expect(dialer.state.dials['8001']).toMatchObject({ state: 'dialling', requestId: null });
    server.dials[0]?.resolve('r1');
    expect(await placed).toBe(true);
    expect(dialer.state.dials['8001']?.requestId).toBe('r1');
    for (const state of ['ringing', 'answered', 'ended'] as const) {
      dialer.handleDialState({ requestId: 'r1', extension: '8001', state, reason: null });
      expect(dialer.state.dials['8001']?.state).toBe(state);
    }
  });

  it('takes a state event that arrives before the ack', async () => {
    const { server, dialer } = setup();
    const placed = dialer.dial('8002');
    dialer.handleDialState({ requestId: 'r7', extension: '8002', state: 'ringing', reason: null });
    server.dials[0]?.resolve('r7');
    await placed;
    expect(dialer.state.dials['8002']).toMatchObject({ requestId: 'r7', state: 'ringing' });
  });

  it('refuses a second dial of a phone still ringing, without asking the server', async () => {
    const { server, dialer } = setup();
    void dialer.dial('8003');
    expect(await dialer.dial('8003')).toBe(false);
    expect(server.dials).toHaveLength(1);
  });

  it('drops late events of a dial that a re-dial superseded', async () => {
    const { server, dialer } = setup();
    const first = dialer.dial('8004');
    server.dials[0]?.resolve('old');
    await first;
    dialer.handleDialState({ requestId: 'old', extension: '8004', state: 'no_answer', reason: '408' });
    const second = dialer.dial('8004');
    server.dials[1]?.resolve('new');
    await second;
    dialer.handleDialState({ requestId: 'old', extension: '8004', state: 'ended', reason: null });
    expect(dialer.state.dials['8004']).toMatchObject({ requestId: 'new', state: 'dialling' });
    dialer.handleDialState({ requestId: 'new', extension: '8004', state: 'busy', reason: '486' });
    expect(dialer.state.dials['8004']).toMatchObject({ state: 'busy', reason: '486' });
  });

  it('shows a refusal by code and re-reads the status when the gateway is gone', async () => {
    const { server, dialer } = setup();
    await dialer.refresh();
    expect(dialer.available).toBe(true);
    server.status = unavailable;
    const placed = dialer.dial('8005');
    server.dials[0]?.reject(new ConsoleError('sip_unavailable', 'no gateway connected'));
    expect(await placed).toBe(false);
    expect(dialer.state.dials['8005']).toMatchObject({ state: 'error', errorCode: 'sip_unavailable' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(server.statusFetches).toBe(2);
    expect(dialer.available).toBe(false);
    expect(dialer.unavailableReason).toBe('gateway_not_connected');
  });

  it('reports an unknown extension and a malformed number (the latter without a request)', async () => {
    const { server, dialer } = setup();
    const placed = dialer.dial('8099');
    server.dials[0]?.reject(new ConsoleError('extension_not_found', 'no such extension'));
    await placed;
    expect(dialer.state.dials['8099']?.errorCode).toBe('extension_not_found');
    expect(await dialer.dial('12ab')).toBe(false);
    expect(dialer.state.dials['12ab']?.errorCode).toBe('bad_request');
    expect(server.dials).toHaveLength(1);
  });

  it('is unavailable with a reason when the status cannot be fetched, and recovers on a push', async () => {
    const { server, dialer } = setup();
    expect(dialer.unavailableReason).toBeNull();
    server.status = new ConsoleError('not_found', 'GET /sip/status: HTTP 404');
    await dialer.refresh();
    expect(dialer.state.statusError).toBe('not_found');
    expect(dialer.unavailableReason).toBe('status_unreachable');
    dialer.handleStatus({ available: true, reason: null, registrations: [] });
    expect(dialer.available).toBe(true);
    expect(dialer.unavailableReason).toBeNull();
  });

  it('lets an account that may not read the status (a township co-chair) dial, the server deciding', async () => {
    const { server, dialer } = setup();
    server.status = new ConsoleError('forbidden', 'sip:status is for admin, chair, duty_officer');
    await dialer.refresh();
    expect(dialer.state.statusError).toBe('forbidden');
    expect(dialer.available).toBe(true);
    expect(dialer.unavailableReason).toBeNull();
    const placed = dialer.dial('8006');
    server.dials[0]?.reject(new ConsoleError('sip_unavailable', 'no gateway connected'));
    expect(await placed).toBe(false);
    expect(dialer.state.dials['8006']).toMatchObject({ state: 'error', errorCode: 'sip_unavailable' });
  });

  it('keeps a pushed status over a REST snapshot that was in flight when the push came', async () => {
    const { server, dialer } = setup();
    server.status = unavailable;
    const refreshing = dialer.refresh();
    dialer.handleStatus({ available: true, reason: null, registrations: [] });
    await refreshing;
    expect(dialer.available).toBe(true);
  });
});
