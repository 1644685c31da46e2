import { describe, expect, it } from 'vitest';
import {
  type ConferencePhase,
  ConferencePhaseMachine,
  IllegalPhaseTransitionError,
  isFinal,
} from './ConferencePhase.ts';

function machine(start: ConferencePhase = 'joining') {
  const box = { phase: start };
  return {
    box,
    machine: new ConferencePhaseMachine(
      () => box.phase,
      (phase) => {
        box.phase = phase;
      },
    ),
  };
}

describe('ConferencePhaseMachine', () => {
  it('walks a join, a socket drop, a resume and a leave, writing each phase where the page reads it', () => {
    const { box, machine: m } = machine();
    const seen: ConferencePhase[] = [];
    for (const to of ['joined', 'reconnecting', 'reconnecting', 'joined', 'left'] as const) {
      m.transition(to);
      seen.push(box.phase);
    }
    expect(seen).toEqual(['joined', 'reconnecting', 'reconnecting', 'joined', 'left']);
  });

  it('a failed resume, a re-created room and a failed join all go back through joining', () => {
    const { machine: m } = machine();
    for (const to of [
      'joined',
      'reconnecting',
      'joining',
      'joined',
      'joining',
      'error',
      'joining',
      'joined',
    ] as const) {
      m.transition(to);
    }
    expect(m.phase).toBe('joined');
  });

  it('the chair may remove us or end the meeting from every live phase', () => {
    for (const from of ['joining', 'joined', 'reconnecting', 'error'] as const) {
      for (const to of ['removed', 'ended', 'left'] as const) {
        const { machine: m } = machine(from);
        m.transition(to);
        expect(m.phase).toBe(to);
      }
    }
  });

  it('throws on moves the diagram does not draw and stays where it was', () => {
    const { machine: m } = machine();
    expect(() => m.transition('reconnecting')).toThrow(IllegalPhaseTransitionError);
    expect(m.phase).toBe('joining');
    m.transition('joined');
    expect(() => m.transition('error')).toThrow(/joined to error/);
    expect(() => m.transition('joined')).toThrow(IllegalPhaseTransitionError);
    expect(m.phase).toBe('joined');
    const error = (() => {
      try {
        m.transition('error');
      } catch (caught) {
        return caught as IllegalPhaseTransitionError;
      }
    })();
    expect(error).toMatchObject({ code: 'illegal_transition', from: 'joined', to: 'error' });
  });

  it('removed, ended and left are final: nothing leaves them', () => {
    for (const end of ['removed', 'ended', 'left'] as const) {
      expect(isFinal(end)).toBe(true);
      const { machine: m } = machine(end);
      for (const to of ['joining', 'joined', 'reconnecting', 'error', 'removed', 'ended', 'left'] as const) {
        expect(m.can(to)).toBe(false);
        expect(() => m.transition(to)).toThrow(IllegalPhaseTransitionError);
      }
    }
    for (const live of ['joining', 'joined', 'reconnecting', 'error'] as const) expect(isFinal(live)).toBe(false);
  });
});
