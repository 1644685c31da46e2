import { describe, expect, it } from 'vitest';
import { CallLegState, CallLegStateMachine, IllegalLegTransitionError } from './CallLegState.ts';

describe('CallLegStateMachine', () => {
  it('walks a dial-in from offered to ended and reports each step', () => {
    const seen: string[] = [];
    const machine = new CallLegStateMachine(CallLegState.Offered, (from, to) => seen.push(`${from}>${to}`));
    for (const to of [
      CallLegState.Prompting,
      CallLegState.Joining,
      CallLegState.InRoom,
      CallLegState.Ending,
      CallLegState.Ended,
    ]) {
      machine.transition(to);
    }
    expect(seen).toEqual([
      'offered>prompting',
      'prompting>joining',
      'joining>in_room',
      'in_room>ending',
      'ending>ended',
    ]);
    expect(machine.finished).toBe(true);
  });

  it('walks a dial-out: dialling → ringing → joining, or straight to joining on an answer without 180', () => {
    const ringing = new CallLegStateMachine(CallLegState.Dialling);
    ringing.transition(CallLegState.Ringing);
    ringing.transition(CallLegState.Joining);
    expect(ringing.state).toBe(CallLegState.Joining);
    const direct = new CallLegStateMachine(CallLegState.Dialling);
    direct.transition(CallLegState.Joining);
    expect(direct.state).toBe(CallLegState.Joining);
  });

  it('throws on moves the diagram does not draw and stays where it was', () => {
    const machine = new CallLegStateMachine(CallLegState.Offered);
    expect(() => machine.transition(CallLegState.InRoom)).toThrow(IllegalLegTransitionError);
    expect(() => machine.transition(CallLegState.Ringing)).toThrow(/offered to ringing/);
    expect(machine.state).toBe(CallLegState.Offered);
    machine.transition(CallLegState.Ending);
    expect(() => machine.transition(CallLegState.Ending)).toThrow(IllegalLegTransitionError);
    machine.transition(CallLegState.Ended);
    for (const to of Object.values(CallLegState)) expect(machine.can(to)).toBe(false);
  });

  it('lets every live state fail straight to ending', () => {
    for (const path of [[], [CallLegState.Prompting], [CallLegState.Prompting, CallLegState.Joining]]) {
      const machine = new CallLegStateMachine(CallLegState.Offered);
      for (const to of path) machine.transition(to);
      expect(machine.can(CallLegState.Ending)).toBe(true);
    }
  });
});
