import { BeaconError } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { IllegalTransitionError, MAX_HELD, Participant, ParticipantState } from './Participant.ts';

const claims = {
  userId: 'u-1',
  username: 'lucheng',
  displayName: '鹿城镇',
  role: 'township' as const,
  townshipId: 'lucheng',
};

function participant(): Participant {
  return new Participant({ peerId: 'p-1', roomId: 'city-weekly', socketId: 's-1', claims });
}

describe('Participant state machine', () => {
  it('walks joining → joined → ready → left', () => {
    const p = participant();
    expect(p.state).toBe(ParticipantState.Joining);
    p.transition(ParticipantState.Joined);
    expect(p.inRoom).toBe(true);
    p.markReady({ codecs: [] });
    expect(p.state).toBe(ParticipantState.Ready);
    expect(p.rtpCapabilities).toEqual({ codecs: [] });
    p.transition(ParticipantState.Left);
    expect(p.inRoom).toBe(false);
  });

  it('may leave from every live state', () => {
    for (const path of [[], [ParticipantState.Joined], [ParticipantState.Joined, ParticipantState.Ready]]) {
      const p = participant();
      for (const state of path) p.transition(state);
      p.transition(ParticipantState.Left);
      expect(p.state).toBe(ParticipantState.Left);
    }
  });

  it.each([
    [[], ParticipantState.Ready],
    [[], ParticipantState.Joining],
    [[ParticipantState.Joined], ParticipantState.Joined],
    [[ParticipantState.Joined, ParticipantState.Ready], ParticipantState.Joined],
    [[ParticipantState.Joined, ParticipantState.Ready], ParticipantState.Ready],
    [[ParticipantState.Left], ParticipantState.Joined],
    [[ParticipantState.Left], ParticipantState.Left],
  ])('refuses an illegal move (after %j, to %s)', (path, to) => {
    const p = participant();
    for (const state of path) p.transition(state);
    const before = p.state;
    let caught: unknown;
    try {
      p.transition(to);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IllegalTransitionError);
    expect(caught).toBeInstanceOf(BeaconError);
    expect((caught as BeaconError).code).toBe('bad_request');
    expect(p.state).toBe(before);
  });

  it('reconnects back to exactly the state it left and holds emits meanwhile', () => {
    const p = participant();
    p.transition(ParticipantState.Joined);
    p.markReady({ codecs: [] });
    p.markReconnecting(new Date('2026-01-01T00:00:00Z'));
    expect(p.info().connection).toBe('reconnecting');
    expect(p.receiving).toBe(true);
    expect(p.inRoom).toBe(false);
    expect(() => p.transition(ParticipantState.Joined)).toThrow(IllegalTransitionError);
    p.hold('consumer:new', { consumerId: 'c' });
    expect(p.resume('s-2')).toEqual([{ event: 'consumer:new', payload: { consumerId: 'c' } }]);
    expect(p.state).toBe(ParticipantState.Ready);
    expect(p.socketId).toBe('s-2');
    expect(p.disconnectedAt).toBeUndefined();
    expect(p.info().connection).toBe('connected');
    expect(p.resume('s-3')).toEqual([]);
  });

  it('holds a bounded number of emits and says when more came, so it cannot resume out of step', () => {
    const p = participant();
    p.transition(ParticipantState.Joined);
    p.markReconnecting();
    for (let i = 0; i < MAX_HELD; i += 1) p.hold('consumer:paused', { consumerId: `c${i}` });
    expect(p.heldOverflowed).toBe(false);
    p.hold('consumer:new', { consumerId: 'lost' });
    expect(p.heldOverflowed).toBe(true);
    expect(p.resume('s-2')).toHaveLength(MAX_HELD);
  });

  it('says who muted it while muted', () => {
    const p = participant();
    p.producers.set('a', { id: 'a', kind: 'audio', source: 'mic', paused: true });
    p.audioMutedBy = 'chair';
    expect(p.info()).toMatchObject({ audioMuted: true, audioMutedBy: 'chair', meetingRole: 'participant' });
    p.producers.set('a', { id: 'a', kind: 'audio', source: 'mic', paused: false });
    expect(p.info()).toMatchObject({ audioMuted: false, audioMutedBy: null });
  });

  it('derives mute flags from live producers', () => {
    const p = participant();
    expect(p.info()).toMatchObject({ audioMuted: true, videoMuted: true, peerId: 'p-1', townshipId: 'lucheng' });
    p.producers.set('a', { id: 'a', kind: 'audio', source: 'mic', paused: false });
    p.producers.set('v', { id: 'v', kind: 'video', source: 'camera', paused: true });
    expect(p.info()).toMatchObject({ audioMuted: false, videoMuted: true });
    p.producers.set('s', { id: 's', kind: 'video', source: 'screen', paused: false });
    expect(p.info()).toMatchObject({ audioMuted: false, videoMuted: false, screenSharing: true });
  });
});
