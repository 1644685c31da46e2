/**
 * The warning the SIP tests issue to 苍岭镇's desk phone (8007): a 3 km circle
 * around 24.84 N, 101.60 E reaches no other township, so exactly one alert
 * call is placed and the ack board has one line to watch.
 */
import type { AckBoardRow, WarningView } from '@beacon/protocol';
import { expect } from 'vitest';
import { apiJson } from './signaling.ts';

export const CANGLING_PHONE = '8007';

/** Drafts the 山洪 warning over 苍岭镇 as `token`'s account (not issued yet). */
export async function draftCanglingWarning(url: string, token: string): Promise<WarningView> {
  const warning = await apiJson<WarningView>(url, token, '/api/v1/warnings', {
    method: 'POST',
    body: JSON.stringify({
      event: '山洪',
      colour: 'orange',
      headline: '苍岭镇山洪橙色预警',
      instruction: '请立即组织转移',
      area: { type: 'circle', center: [24.84, 101.6], radiusKm: 3 },
      expires: new Date(Date.now() + 3_600_000).toISOString(),
      escalationMinutes: 0,
    }),
  });
  expect(warning.affectedTownshipIds).toEqual(['cangling']);
  return warning;
}

/** 苍岭镇's line on the warning's ack board. */
export async function canglingAckRow(url: string, token: string, warningId: string): Promise<AckBoardRow | undefined> {
  const rows = await apiJson<AckBoardRow[]>(url, token, `/api/v1/warnings/${warningId}/acks`);
  return rows.find((r) => r.townshipId === 'cangling');
}
