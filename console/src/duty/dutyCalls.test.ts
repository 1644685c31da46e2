import type { DutyCallView } from '@beacon/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { answerCall, applyCall, duty, listenDuty, releaseDutySocket } from './dutyStore.ts';

const call = (over: Partial<DutyCallView> = {}): DutyCallView => ({
  callId: 'dc-1',
  roomId: 'duty-line-1',
  state: 'ringing',
  caller: '吕合镇·8003',
  extension: '8003',
  startedAt: '2026-12-07T09:00:00.000Z',
  forwardAt: '2026-12-07T09:00:30.000Z',
  answeredBy: null,
  answeredAt: null,
  forwardedTo: null,
  declinedBy: [],
  endedAt: null,
  ...over,
});

describe('duty call cards', () => {
  beforeEach(() => {
    duty.calls = [];
  });

  it('shows a ringing or forwarded call once, updated in place', () => {
    applyCall(call(), 'u-duty');
    applyCall(call({ callId: 'dc-2' }), 'u-duty');
    applyCall(call({ state: 'forwarded' }), 'u-duty');
    expect(duty.calls.map((c) => [c.callId, c.state])).toEqual([
      ['dc-2', 'ringing'],
      ['dc-1', 'forwarded'],
    ]);
  });

  it('drops the card when the call is answered, ends, or this officer declined it', () => {
    applyCall(call(), 'u-duty');
    applyCall(call({ state: 'answered', answeredBy: { userId: 'u-admin', displayName: '系统管理员' } }), 'u-duty');
    expect(duty.calls).toEqual([]);
    applyCall(call({ callId: 'dc-2' }), 'u-duty');
    applyCall(call({ callId: 'dc-2', declinedBy: ['u-admin'] }), 'u-duty');
    expect(duty.calls).toHaveLength(1);
    applyCall(call({ callId: 'dc-2', declinedBy: ['u-admin', 'u-duty'] }), 'u-duty');
    expect(duty.calls).toEqual([]);
    applyCall(call({ callId: 'dc-3', state: 'ended' }), 'u-duty');
    expect(duty.calls).toEqual([]);
  });
});

describe('the socket duty listens on, handed between pages', () => {
  /** Just enough of a socket for listenDuty: the handlers it registers, by event. */
  const fakeSocket = () => {
    const handlers = new Map<string, (payload: unknown) => void>();
    const socket = {
      on: (event: string, handler: (payload: unknown) => void) => handlers.set(event, handler),
    } as unknown as Parameters<typeof listenDuty>[0];
    return { socket, handlers };
  };

  beforeEach(() => {
    duty.calls = [];
  });

  it('keeps the cards when the page that left releases a socket another page took over', () => {
    const commandRoom = fakeSocket();
    const app = fakeSocket();
    listenDuty(commandRoom.socket, 'u-duty');
    // Leaving the command room: the app's watch may start listening before the room releases its socket.
    listenDuty(app.socket, 'u-duty');
    app.handlers.get('duty:call')?.(call());
    releaseDutySocket(commandRoom.socket);
    expect(duty.calls.map((c) => c.callId)).toEqual(['dc-1']);
    // The socket in use going away takes its cards with it (the next one fetches the calls again).
    releaseDutySocket(app.socket);
    expect(duty.calls).toEqual([]);
  });

  it('answers nothing once released', async () => {
    const app = fakeSocket();
    listenDuty(app.socket, 'u-duty');
    releaseDutySocket(app.socket);
    await expect(answerCall('dc-1')).rejects.toThrow('not connected');
  });
});
