/**
 * Red drill warnings (演练) covering every seeded township, issued through the
 * REST API: what the ack-kill and PostgreSQL fault sections acknowledge. Ids in
 * issue order.
 */
import type { WarningView } from '@beacon/protocol';
import { apiJson } from '../src/signaling.ts';

export async function issueDrillWarnings(url: string, dutyToken: string, count: number): Promise<string[]> {
  const warnings: string[] = [];
  for (let i = 0; i < count; i++) {
    const warning = await apiJson<WarningView>(url, dutyToken, '/api/v1/warnings', {
      method: 'POST',
      body: JSON.stringify({
        event: '地震',
        colour: 'red',
        headline: `演练 ${i}`,
        area: { type: 'circle', center: [24.9, 101.42], radiusKm: 80 },
        expires: new Date(Date.now() + 3_600_000).toISOString(),
        escalationMinutes: 0,
      }),
    });
    await apiJson(url, dutyToken, `/api/v1/warnings/${warning.id}/issue`, { method: 'POST', body: '{}' });
    warnings.push(warning.id);
  }
  return warnings;
}
