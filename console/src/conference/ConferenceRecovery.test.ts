import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ConferencePhase, ConferencePhaseMachine, isFinal } from './ConferencePhase.ts';
import {
  ConferenceRecovery,
  type RecoverableMedia,
  type RecoverableTransport,
  type RecoveryHost,
  RejoinBackoff,
  type ResumeOutcome,
} from './ConferenceRecovery.ts';

class FakeTransport implements RecoverableTransport {
  closed = false;
  constructor(
    readonly id: string,
    public connectionState = 'connected',
  ) {}
}

class FakeMedia implements RecoverableMedia {
  readonly transports = [new FakeTransport('send'), new FakeTransport('recv')];
  readonly restarts: string[] = [];
  refuse = false;
  async restartIce(transport: RecoverableTransport): Promise<void> {
    this.restarts.push(transport.id);
    if (this.refuse) throw new Error('transport:restartIce refused');
  }
}

/** A session as recovery sees it: phases go through the real phase machine, so an illegal move fails the test. */
class FakeSession implements RecoveryHost {
  state: { phase: ConferencePhase } = { phase: 'joining' };
  readonly phases = new ConferencePhaseMachine(
    () => this.state.phase,
    (phase) => {
      this.state.phase = phase;
    },
  );
  connected = true;
  currentMedia: FakeMedia | null = null;
  resumeOutcome: ResumeOutcome = 'resumed';
  readonly calls: string[] = [];

  phase = () => this.state.phase;
  finished = () => isFinal(this.state.phase);
  socketConnected = () => this.connected;
  media = () => this.currentMedia;

  async join(recovering: boolean): Promise<void> {
    this.calls.push(`join(${recovering})`);
    this.phases.transition('joining');
    this.currentMedia = new FakeMedia();
    this.phases.transition('joined');
  }
  async resume(): Promise<ResumeOutcome> {
    this.calls.push('resume');
    if (this.resumeOutcome === 'resumed') this.phases.transition('joined');
    return this.resumeOutcome;
  }
  holdMedia(): void {
    this.calls.push('holdMedia');
    this.phases.transition('reconnecting');
  }
  awaitSocket(): void {
    this.calls.push('awaitSocket');
    this.currentMedia = null;
    this.phases.transition('joining');
  }
  prepareRejoin(): void {
    this.calls.push('prepareRejoin');
    this.currentMedia = null;
    this.phases.transition('joining');
  }
}

/** A session that has joined once (the first connect). */
async function joinedSession(): Promise<{ session: FakeSession; recovery: ConferenceRecovery }> {
  const session = new FakeSession();
  const recovery = new ConferenceRecovery(session);
  recovery.socketConnected();
  await vi.advanceTimersByTimeAsync(0);
  session.calls.length = 0;
  return { session, recovery };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('RejoinBackoff', () => {
  it('re-joins at once the first time, then after 1, 2, 4, 8, 10, 10, 10 s; gives up at the ninth within a minute', () => {
    const backoff = new RejoinBackoff(60_000, 8, 10_000);
    const delays = Array.from({ length: 9 }, (_, i) => backoff.next(1000 + i));
    expect(delays).toEqual([0, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, null]);
  });

  it('forgets re-joins older than the window, and all of them on reset', () => {
    const backoff = new RejoinBackoff(60_000, 8, 10_000);
    backoff.next(0);
    backoff.next(1);
    expect(backoff.next(61_000)).toBe(0);
    expect(backoff.next(61_001)).toBe(1000);
    backoff.reset();
    expect(backoff.next(61_002)).toBe(0);
  });
});

describe('ConferenceRecovery', () => {
  it('joins on the first connect; a reconnect while reconnecting resumes and restarts ICE on every transport', async () => {
    const session = new FakeSession();
    const recovery = new ConferenceRecovery(session);
    recovery.socketConnected();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.calls).toEqual(['join(false)']);
    const media = session.currentMedia as FakeMedia;

    session.connected = false;
    recovery.socketDisconnected();
    expect(session.state.phase).toBe('reconnecting');
    session.connected = true;
    recovery.socketConnected();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.calls).toEqual(['join(false)', 'holdMedia', 'resume']);
    expect(session.state.phase).toBe('joined');
    expect(media.restarts).toEqual(['send', 'recv']);
  });

  it('re-joins when the server lost our media on resume, or when the socket came back without a peer to resume', async () => {
    const { session, recovery } = await joinedSession();
    recovery.socketDisconnected();
    session.resumeOutcome = 'rejoin';
    recovery.socketConnected();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.calls).toEqual(['holdMedia', 'resume', 'join(true)']);
    expect(session.state.phase).toBe('joined');

    // Dropped while still joining (no media yet): wait for the socket, then join again.
    session.calls.length = 0;
    session.state.phase = 'joining';
    session.currentMedia = null;
    recovery.socketDisconnected();
    recovery.socketConnected();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.calls).toEqual(['awaitSocket', 'join(true)']);
  });

  it('a resume superseded by a newer attempt does nothing more', async () => {
    const { session, recovery } = await joinedSession();
    const media = session.currentMedia as FakeMedia;
    recovery.socketDisconnected();
    session.resumeOutcome = 'done';
    recovery.socketConnected();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(session.calls).toEqual(['holdMedia', 'resume']);
    expect(media.restarts).toEqual([]);
  });

  it('an ICE restart the server refuses after a resume re-joins', async () => {
    const { session, recovery } = await joinedSession();
    (session.currentMedia as FakeMedia).refuse = true;
    recovery.socketDisconnected();
    recovery.socketConnected();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.calls).toEqual(['holdMedia', 'resume', 'prepareRejoin', 'join(true)']);
    expect(session.state.phase).toBe('joined');
  });

  it('does nothing after the page left or was closed by the chair', async () => {
    const { session, recovery } = await joinedSession();
    session.phases.transition('removed');
    recovery.socketDisconnected();
    expect(session.calls).toEqual([]);
  });

  it('re-joins with a growing back-off and gives up after eight within a minute', async () => {
    const { session, recovery } = await joinedSession();
    const joinsAfter = async (ms: number) => {
      const before = session.calls.filter((c) => c === 'join(true)').length;
      await vi.advanceTimersByTimeAsync(ms);
      return session.calls.filter((c) => c === 'join(true)').length - before;
    };
    expect(recovery.rejoinSoon()).toBe(true);
    expect(session.state.phase).toBe('joining');
    expect(await joinsAfter(0)).toBe(1);
    expect(recovery.rejoinSoon()).toBe(true);
    expect(await joinsAfter(999)).toBe(0);
    expect(await joinsAfter(1)).toBe(1);
    for (let i = 0; i < 6; i++) {
      expect(recovery.rejoinSoon()).toBe(true);
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(recovery.rejoinSoon()).toBe(false);
    recovery.reset();
    expect(recovery.rejoinSoon()).toBe(true);
  });

  it('a pending re-join is cancelled when the socket drops, and by close()', async () => {
    const { session, recovery } = await joinedSession();
    recovery.rejoinSoon();
    await vi.advanceTimersByTimeAsync(0);
    recovery.rejoinSoon(); // waits 1 s
    recovery.socketDisconnected();
    await vi.advanceTimersByTimeAsync(5000);
    expect(session.calls.filter((c) => c === 'join(true)')).toHaveLength(1);

    await session.join(true);
    recovery.rejoinSoon();
    recovery.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(session.calls.filter((c) => c === 'join(true)')).toHaveLength(2);
  });

  describe('ICE trouble with the socket up', () => {
    it("'disconnected' gets a restart after 2 s unless it recovered by itself", async () => {
      const { session, recovery } = await joinedSession();
      const media = session.currentMedia as FakeMedia;
      const [send, recv] = media.transports as [FakeTransport, FakeTransport];
      send.connectionState = 'disconnected';
      recovery.transportTrouble(media, send, 'disconnected');
      recovery.transportTrouble(media, send, 'disconnected'); // one restart per transport at a time
      await vi.advanceTimersByTimeAsync(1999);
      expect(media.restarts).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(media.restarts).toEqual(['send']);

      recv.connectionState = 'disconnected';
      recovery.transportTrouble(media, recv, 'disconnected');
      recv.connectionState = 'connected';
      await vi.advanceTimersByTimeAsync(2000);
      expect(media.restarts).toEqual(['send']);
    });

    it("'failed' restarts at once; still failed 10 s later re-joins, recovered does not", async () => {
      const { session, recovery } = await joinedSession();
      const media = session.currentMedia as FakeMedia;
      const send = media.transports[0] as FakeTransport;
      send.connectionState = 'failed';
      recovery.transportTrouble(media, send, 'failed');
      await vi.advanceTimersByTimeAsync(0);
      expect(media.restarts).toEqual(['send']);
      await vi.advanceTimersByTimeAsync(9999);
      expect(session.calls).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      // The re-join itself is a 0 ms timer (which fake timers run 1 ms later when set inside a timer).
      await vi.advanceTimersByTimeAsync(1);
      expect(session.calls).toEqual(['prepareRejoin', 'join(true)']);

      const next = session.currentMedia as FakeMedia;
      const recv = next.transports[1] as FakeTransport;
      recv.connectionState = 'failed';
      recovery.transportTrouble(next, recv, 'failed');
      await vi.advanceTimersByTimeAsync(0);
      recv.connectionState = 'connected';
      await vi.advanceTimersByTimeAsync(10_000);
      expect(session.calls).toEqual(['prepareRejoin', 'join(true)']);
    });

    it('a refused restart waits out the socket ping timeout: re-joins only if the socket stayed up', async () => {
      const { session, recovery } = await joinedSession();
      const media = session.currentMedia as FakeMedia;
      media.refuse = true;
      const send = media.transports[0] as FakeTransport;
      send.connectionState = 'failed';
      recovery.transportTrouble(media, send, 'failed');
      await vi.advanceTimersByTimeAsync(13_999);
      expect(session.calls).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      // The re-join itself is a 0 ms timer (which fake timers run 1 ms later when set inside a timer).
      await vi.advanceTimersByTimeAsync(1);
      expect(session.calls).toEqual(['prepareRejoin', 'join(true)']);

      // The whole link was down: the socket noticed meanwhile, and the resume will restart ICE instead.
      const next = session.currentMedia as FakeMedia;
      next.refuse = true;
      const recv = next.transports[1] as FakeTransport;
      recv.connectionState = 'failed';
      recovery.transportTrouble(next, recv, 'failed');
      await vi.advanceTimersByTimeAsync(0);
      session.connected = false;
      recovery.socketDisconnected();
      await vi.advanceTimersByTimeAsync(14_000);
      expect(session.calls).toEqual(['prepareRejoin', 'join(true)', 'holdMedia']);
    });

    it('is left to the resume while the socket is down, and ignored for media that is no longer current', async () => {
      const { session, recovery } = await joinedSession();
      const media = session.currentMedia as FakeMedia;
      session.connected = false;
      recovery.transportTrouble(media, media.transports[0] as FakeTransport, 'failed');
      await vi.advanceTimersByTimeAsync(20_000);
      expect(media.restarts).toEqual([]);

      session.connected = true;
      const stale = new FakeMedia();
      recovery.transportTrouble(stale, stale.transports[0] as FakeTransport, 'failed');
      await vi.advanceTimersByTimeAsync(20_000);
      expect(stale.restarts).toEqual([]);
      expect(session.calls).toEqual([]);
    });
  });
});
