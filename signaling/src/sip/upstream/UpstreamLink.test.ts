import type { UpstreamControl, UpstreamState } from '@beacon/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { UpstreamLink, type UpstreamTransition } from './UpstreamLink.ts';

/** A link with a hand-stepped clock: timers run only when `advance` passes them. */
function harness(opts: { gatewayUp?: () => boolean } = {}) {
  let now = 0;
  let nextId = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  const dials: string[] = [];
  const controls: UpstreamControl[] = [];
  const transitions: UpstreamTransition[] = [];
  const link = new UpstreamLink({
    roomId: 'city-weekly',
    uri: 'sip:6001@10.53.0.8:5060',
    pin: '2468',
    dial: () => {
      if (opts.gatewayUp && !opts.gatewayUp()) return null;
      const requestId = `r${dials.length + 1}`;
      dials.push(requestId);
      return { requestId };
    },
    control: (control) => controls.push(control),
    backoff: { firstMs: 1000, maxMs: 5000, maxAttempts: 4 },
    now: () => now,
    setTimer: (fn, ms) => {
      const id = ++nextId;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (id) => {
      const at = timers.findIndex((t) => t.id === id);
      if (at >= 0) timers.splice(at, 1);
    },
  });
  link.on('transition', (t) => transitions.push(t));
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.fn();
    }
  };
  const states = () => transitions.map((t) => t.to);
  return { link, dials, controls, transitions, states, advance, pending: () => timers.map((t) => t.at - now) };
}

describe('UpstreamLink', () => {
  let h: ReturnType<typeof harness>;
  beforeEach(() => {
    h = harness();
  });

  it('dials when the chair connects and is connected once the gateway reports the answer', () => {
    h.link.connect();
    expect(h.dials).toEqual(['r1']);
    expect(h.link.callState('r1', 'ringing', null)).toBe(true);
    expect(h.link.state).toBe('dialling');
    h.link.callState('r1', 'answered', null);
    expect(h.link.status()).toMatchObject({ state: 'connected', reason: null, attempts: 0, sendMuted: false });
    expect(h.link.callState('other', 'ended', null)).toBe(false);
    // Connecting again while up does nothing.
    h.link.connect();
    expect(h.dials).toEqual(['r1']);
  });

  it('redials a dropped link with a doubling back-off while the chair wants it, then comes back up', () => {
    h.link.connect();
    h.link.callState('r1', 'answered', null);
    h.link.callState('r1', 'ended', 'phone_hung_up');
    expect(h.link.status()).toMatchObject({ state: 'redialling', reason: 'phone_hung_up' });
    expect(h.pending()).toEqual([1000]);
    h.advance(999);
    expect(h.dials).toEqual(['r1']);
    h.advance(1);
    expect(h.dials).toEqual(['r1', 'r2']);
    h.link.callState('r2', 'no_answer', null);
    expect(h.pending()).toEqual([2000]);
    h.advance(2000);
    h.link.callState('r3', 'busy', null);
    expect(h.link.status().reason).toBe('busy');
    expect(h.pending()).toEqual([4000]);
    h.advance(4000);
    h.link.callState('r4', 'answered', null);
    expect(h.link.status()).toMatchObject({ state: 'connected', attempts: 0, reason: null });
    expect(h.states()).toEqual([
      'dialling',
      'connected',
      'redialling',
      'dialling',
      'redialling',
      'dialling',
      'redialling',
      'dialling',
      'connected',
    ]);
  });

  it('gives up after maxAttempts failed tries in a row, and a new connect starts over', () => {
    h.link.connect();
    for (let attempt = 1; attempt <= 4; attempt++) {
      h.link.callState(`r${attempt}`, 'failed', 'SIP 404');
      h.advance(5000);
    }
    expect(h.dials).toHaveLength(4);
    expect(h.link.status()).toMatchObject({ state: 'failed', reason: 'failed: SIP 404', redialAt: null });
    expect(h.pending()).toEqual([]);
    h.link.connect();
    expect(h.link.status()).toMatchObject({ state: 'dialling', attempts: 1, reason: null });
  });

  it('the back-off is capped at maxMs', () => {
    const long = harness();
    long.link.connect();
    long.link.callState('r1', 'failed', null);
    expect(long.pending()).toEqual([2000]);
    long.advance(2000);
    long.link.callState('r2', 'failed', null);
    expect(long.pending()).toEqual([4000]);
    long.advance(4000);
    long.link.callState('r3', 'failed', null);
    expect(long.pending()).toEqual([5000]);
    expect(long.link.status().redialAt).toBe(new Date(6000 + 5000).toISOString());
  });

  it('disconnect hangs up the call in flight and stops redialling; the late report changes nothing', () => {
    h.link.connect();
    h.link.callState('r1', 'answered', null);
    h.link.disconnect();
    expect(h.controls).toEqual([{ requestId: 'r1', action: 'hangup' }]);
    expect(h.link.status()).toMatchObject({ state: 'idle', reason: null });
    expect(h.link.callState('r1', 'ended', 'disconnected')).toBe(false);
    h.advance(60_000);
    expect(h.dials).toEqual(['r1']);
    // While a redial is pending, disconnect cancels it.
    h.link.connect();
    h.link.callState('r2', 'failed', null);
    expect(h.link.state).toBe('redialling');
    h.link.disconnect();
    h.advance(60_000);
    expect(h.dials).toEqual(['r1', 'r2']);
    expect(h.link.state).toBe('idle');
  });

  it('a chair who hangs the upstream tile up (removed) or ends the meeting ends the link: no redial', () => {
    h.link.connect();
    h.link.callState('r1', 'answered', null);
    h.link.callState('r1', 'ended', 'removed');
    expect(h.link.status()).toMatchObject({ state: 'idle', reason: 'removed' });
    h.advance(60_000);
    expect(h.dials).toEqual(['r1']);
    h.link.connect();
    h.link.callState('r2', 'answered', null);
    h.link.callState('r2', 'ended', 'meeting_ended');
    h.advance(60_000);
    expect(h.dials).toEqual(['r1', 'r2']);
    expect(h.link.state).toBe('idle');
  });

  it('keeps our side muted across redials: the mute is sent on each answer', () => {
    h.link.setSendMuted(true);
    h.link.connect();
    expect(h.controls).toEqual([]);
    h.link.callState('r1', 'answered', null);
    expect(h.controls).toEqual([{ requestId: 'r1', action: 'mute' }]);
    h.link.setSendMuted(false);
    expect(h.controls.at(-1)).toEqual({ requestId: 'r1', action: 'unmute' });
    h.link.setSendMuted(true);
    h.link.callState('r1', 'ended', 'rtp_timeout');
    h.advance(1000);
    h.link.callState('r2', 'answered', null);
    expect(h.controls.at(-1)).toEqual({ requestId: 'r2', action: 'mute' });
    expect(h.link.status().sendMuted).toBe(true);
  });

  it('no gateway to take the call counts as a failed try and is retried', () => {
    let up = false;
    const g = harness({ gatewayUp: () => up });
    g.link.connect();
    expect(g.link.status()).toMatchObject({ state: 'redialling', reason: 'sip_unavailable' });
    up = true;
    g.advance(2000);
    expect(g.dials).toEqual(['r1']);
    expect(g.link.state).toBe('dialling');
  });

  it('ignores a report for a call it did not make', () => {
    const states: UpstreamState[] = [];
    h.link.on('status', (s) => states.push(s.state));
    // A report for a call the link never made is ignored rather than moving it.
    expect(h.link.callState('r9', 'answered', null)).toBe(false);
    expect(states).toEqual([]);
    expect(h.link.state).toBe('idle');
  });

  it('takes the upstream calling in as the link: connected at once, no PIN, idle when it hangs up unwanted', () => {
    h.link.acceptIncoming('in1');
    expect(h.link.status()).toMatchObject({ state: 'connected', incoming: true, attempts: 0 });
    expect(h.transitions.at(-1)).toMatchObject({ from: 'idle', to: 'connected', incoming: true });
    expect(h.dials).toEqual([]);
    // The chair controls it like a dialled link.
    h.link.setSendMuted(true);
    expect(h.controls).toEqual([{ requestId: 'in1', action: 'mute' }]);
    // Nobody asked for the link: the upstream ending its call ends it, with no redial.
    h.link.callState('in1', 'ended', 'phone_hung_up');
    expect(h.link.status()).toMatchObject({ state: 'idle', incoming: false, reason: 'phone_hung_up' });
    expect(h.pending()).toEqual([]);
  });

  it('a call in replaces our dial in flight; a drop of it is redialled while the chair wants the link', () => {
    h.link.connect();
    h.link.setSendMuted(true);
    h.link.acceptIncoming('in1');
    // Our own try is hung up, the upstream's call carries the link and gets our side's mute.
    expect(h.controls).toEqual([
      { requestId: 'r1', action: 'hangup' },
      { requestId: 'in1', action: 'mute' },
    ]);
    expect(h.link.status()).toMatchObject({ state: 'connected', incoming: true });
    // A late report of the abandoned try changes nothing.
    expect(h.link.callState('r1', 'ended', 'disconnected')).toBe(false);
    h.link.callState('in1', 'ended', 'rtp_timeout');
    expect(h.link.status()).toMatchObject({ state: 'redialling', reason: 'rtp_timeout' });
    h.advance(1000);
    expect(h.dials).toEqual(['r1', 'r2']);
    h.link.callState('r2', 'answered', null);
    expect(h.link.status()).toMatchObject({ state: 'connected', incoming: false });
    // The upstream calls again while our call is up: its call replaces ours, and that is a new connect.
    h.link.acceptIncoming('in2');
    expect(h.controls.at(-2)).toEqual({ requestId: 'r2', action: 'hangup' });
    expect(h.transitions.at(-1)).toMatchObject({ from: 'connected', to: 'connected', incoming: true });
    expect(h.link.status()).toMatchObject({ state: 'connected', incoming: true });
  });

  it('the chair disconnecting a call in hangs it up and stays idle', () => {
    h.link.acceptIncoming('in1');
    h.link.disconnect();
    expect(h.controls).toEqual([{ requestId: 'in1', action: 'hangup' }]);
    expect(h.link.status()).toMatchObject({ state: 'idle', incoming: false });
    expect(h.link.wanted).toBe(false);
  });
});
