/**
 * The ack board's per-channel cells: how far a line's alert got on the
 * terminal, the desk phone, SMS (delivered / acknowledged / failed) and the
 * villages' loudspeakers (played = delivered: a loudspeaker never acknowledges).
 */
import type {
  AckBoardRow,
  LoudspeakerCallView,
  LoudspeakerLineSummary,
  SmsLineSummary,
  SmsRecipientView,
} from '@beacon/protocol';
import { loudspeakerLineSummary, smsLineSummary } from '@beacon/protocol/constants';

export type ChannelCell = 'none' | 'pending' | 'delivered' | 'acknowledged' | 'failed';

/**
 * The terminal: acknowledged on it, or its banner shown (delivered). An ack by another channel also
 * stamps `deliveredAt` with the ack's own time: that alone is no terminal delivery.
 */
export function terminalCell(row: AckBoardRow | undefined): ChannelCell {
  if (!row) return 'none';
  if (row.channel === 'terminal') return 'acknowledged';
  const stampedByOtherAck = row.channel !== null && row.deliveredAt === row.ackedAt;
  return row.deliveredAt && !stampedByOtherAck ? 'delivered' : 'pending';
}

/** The desk phone: acknowledged with 1, answered (delivered), busy/unanswered/failed, ringing; never called. */
export function phoneCell(row: AckBoardRow | undefined): ChannelCell {
  if (!row) return 'none';
  if (row.channel === 'phone') return 'acknowledged';
  if (row.phoneAnsweredAt) return 'delivered';
  switch (row.phoneState ?? null) {
    case 'busy':
    case 'no_answer':
    case 'failed':
      return 'failed';
    case null:
      return 'none';
    default:
      return 'pending';
  }
}

/** SMS: every recipient acknowledged; some failed; all delivered or acknowledged; still going; nobody to text. */
export function smsCell(summary: SmsLineSummary): ChannelCell {
  if (summary.total === 0) return 'none';
  if (summary.acked === summary.total) return 'acknowledged';
  if (summary.failed > 0) return 'failed';
  if (summary.delivered + summary.acked === summary.total) return 'delivered';
  return 'pending';
}

/** The recipients of one board line (a township's or a department's). */
export function lineRecipients(
  recipients: readonly SmsRecipientView[],
  line: { townshipId: string | null; departmentId: string | null },
): SmsRecipientView[] {
  return recipients.filter((r) =>
    line.townshipId !== null ? r.townshipId === line.townshipId : r.departmentId === line.departmentId,
  );
}

export function lineSummary(
  recipients: readonly SmsRecipientView[],
  line: { townshipId: string | null; departmentId: string | null },
): SmsLineSummary {
  return smsLineSummary(lineRecipients(recipients, line));
}

/** Loudspeakers: all played (delivered); some failed; still calling or playing; none in the line's villages. */
export function loudspeakerCell(summary: LoudspeakerLineSummary): ChannelCell {
  if (summary.total === 0) return 'none';
  if (summary.played === summary.total) return 'delivered';
  if (summary.failed > 0) return 'failed';
  return 'pending';
}

/** The loudspeakers of one board line: a township's villages' (a department has none). */
export function lineLoudspeakers(
  calls: readonly LoudspeakerCallView[],
  line: { townshipId: string | null },
): LoudspeakerCallView[] {
  return line.townshipId === null ? [] : calls.filter((c) => c.townshipId === line.townshipId);
}

export function loudspeakerSummary(calls: readonly LoudspeakerCallView[]): LoudspeakerLineSummary {
  return loudspeakerLineSummary(calls);
}
