import type { AckBoardRow, LoudspeakerCallView, SmsRecipientView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import {
  lineLoudspeakers,
  lineSummary,
  loudspeakerCell,
  loudspeakerSummary,
  phoneCell,
  smsCell,
  terminalCell,
} from './channels.ts';

const row = (over: Partial<AckBoardRow> = {}): AckBoardRow => ({
  warningId: 'w1',
  townshipId: 'lucheng',
  departmentId: null,
  deliveredAt: null,
  ackedAt: null,
  ackedBy: null,
  ackedByName: null,
  channel: null,
  notifyCount: 1,
  lastNotifiedAt: '2026-12-07T08:00:00.000Z',
  ...over,
});
const recipient = (state: SmsRecipientView['state'], townshipId = 'lucheng'): SmsRecipientView =>
  ({ id: `${state}-${townshipId}`, warningId: 'w1', townshipId, departmentId: null, state }) as SmsRecipientView;

describe('ack board channel cells', () => {
  it('tells a terminal delivery from the stamp an ack on another channel leaves', () => {
    expect(terminalCell(undefined)).toBe('none');
    expect(terminalCell(row())).toBe('pending');
    expect(terminalCell(row({ deliveredAt: 'T1' }))).toBe('delivered');
    expect(terminalCell(row({ deliveredAt: 'T1', ackedAt: 'T1', channel: 'terminal' }))).toBe('acknowledged');
    expect(terminalCell(row({ deliveredAt: 'T2', ackedAt: 'T2', channel: 'sms' }))).toBe('pending');
    expect(terminalCell(row({ deliveredAt: 'T1', ackedAt: 'T2', channel: 'phone' }))).toBe('delivered');
  });

  it('reads the desk phone’s last call', () => {
    expect(phoneCell(row())).toBe('none');
    expect(phoneCell(row({ phoneState: 'ringing' }))).toBe('pending');
    expect(phoneCell(row({ phoneState: 'no_answer' }))).toBe('failed');
    expect(phoneCell(row({ phoneState: 'ended', phoneAnsweredAt: 'T1' }))).toBe('delivered');
    expect(phoneCell(row({ phoneState: 'ended', phoneAnsweredAt: 'T1', channel: 'phone', ackedAt: 'T1' }))).toBe(
      'acknowledged',
    );
  });

  it('sums a line’s SMS recipients', () => {
    const line = { townshipId: 'lucheng', departmentId: null };
    const all = [recipient('acked'), recipient('delivered'), recipient('failed'), recipient('acked', 'donggua')];
    const summary = lineSummary(all, line);
    expect(summary).toMatchObject({ total: 3, acked: 1, delivered: 1, failed: 1 });
    expect(smsCell(summary)).toBe('failed');
    expect(smsCell(lineSummary([recipient('acked'), recipient('delivered')], line))).toBe('delivered');
    expect(smsCell(lineSummary([recipient('acked')], line))).toBe('acknowledged');
    expect(smsCell(lineSummary([recipient('submitted')], line))).toBe('pending');
    expect(smsCell(lineSummary([], line))).toBe('none');
  });
});

const speaker = (state: LoudspeakerCallView['state'], townshipId = 'lucheng'): LoudspeakerCallView =>
  ({ id: `${state}-${townshipId}`, warningId: 'w1', townshipId, state }) as LoudspeakerCallView;

describe('the loudspeaker column', () => {
  it('is delivered when every loudspeaker of the line played, failed when one failed, pending while calling', () => {
    const calls = [speaker('played'), speaker('failed'), speaker('played', 'donggua'), speaker('calling', 'zixi')];
    const lucheng = lineLoudspeakers(calls, { townshipId: 'lucheng' });
    expect(lucheng).toHaveLength(2);
    expect(loudspeakerCell(loudspeakerSummary(lucheng))).toBe('failed');
    expect(loudspeakerCell(loudspeakerSummary(lineLoudspeakers(calls, { townshipId: 'donggua' })))).toBe('delivered');
    expect(loudspeakerCell(loudspeakerSummary(lineLoudspeakers(calls, { townshipId: 'zixi' })))).toBe('pending');
    // A department's line has no villages, so no loudspeakers.
    expect(loudspeakerCell(loudspeakerSummary(lineLoudspeakers(calls, { townshipId: null })))).toBe('none');
  });
});
