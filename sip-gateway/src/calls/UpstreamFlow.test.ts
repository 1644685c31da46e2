import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type UpstreamCallLeg, UpstreamCalls } from './UpstreamFlow.ts';

/** A call leg as UpstreamCalls sees it: what our side sends the upstream (muted or not) and whether it ended. */
class LegStandIn extends EventEmitter implements UpstreamCallLeg {
  readonly legId = 'leg-1';
  sendMuted = false;
  ended = false;
  readonly media = {
    setSendMuted: (muted: boolean) => {
      this.sendMuted = muted;
    },
  };

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.emit('ended');
  }
}

describe('UpstreamCalls', () => {
  it('a mute sent before the call is registered (the upstream calling in) applies once it is added', () => {
    const calls = new UpstreamCalls();
    // Signaling takes the call-in as the link and sends the chair's mute before it answers sip:upstreamIn.
    calls.control({ requestId: 'r1', action: 'mute' });
    const leg = new LegStandIn();
    calls.add('r1', leg);
    expect(leg.sendMuted).toBe(true);
    calls.control({ requestId: 'r1', action: 'unmute' });
    expect(leg.sendMuted).toBe(false);
  });

  it('the last early control wins, and a hang-up is not undone by a later mute', () => {
    const calls = new UpstreamCalls();
    calls.control({ requestId: 'r1', action: 'mute' });
    calls.control({ requestId: 'r1', action: 'unmute' });
    const unmuted = new LegStandIn();
    calls.add('r1', unmuted);
    expect(unmuted.sendMuted).toBe(false);

    calls.control({ requestId: 'r2', action: 'hangup' });
    calls.control({ requestId: 'r2', action: 'mute' });
    const hungUp = new LegStandIn();
    calls.add('r2', hungUp);
    expect(hungUp.ended).toBe(true);
  });

  it('an early control is for its own call only, and forgotten once stale', () => {
    let now = 0;
    const calls = new UpstreamCalls({ now: () => now });
    calls.control({ requestId: 'other', action: 'mute' });
    const leg = new LegStandIn();
    calls.add('r1', leg);
    expect(leg.sendMuted).toBe(false);

    calls.control({ requestId: 'late', action: 'mute' });
    now += 60_000;
    const late = new LegStandIn();
    calls.add('late', late);
    expect(late.sendMuted).toBe(false);
  });

  it('a control after the call ended is not carried out on anything', () => {
    const calls = new UpstreamCalls();
    const leg = new LegStandIn();
    calls.add('r1', leg);
    void leg.end();
    calls.control({ requestId: 'r1', action: 'mute' });
    expect(leg.sendMuted).toBe(false);
  });
});
