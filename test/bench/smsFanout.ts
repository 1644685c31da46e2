/**
 * SMS fan-out: one warning texted to N village contacts through Kannel (started
 * by Beacon, in a child process) and Kannel's fake SMSC (`fakesmsc`, in this
 * process's care). Reports the time from the issue request until every text
 * was submitted to Kannel (its sendsms answered), until every delivery report
 * came back into Beacon, and until fakesmsc held every part; texts/s and the
 * parts per text. N villages of 鹿城镇, each with its own contact number, are
 * written into the store before Beacon starts.
 *
 * Run alone: `npm run ts -- test/bench/smsFanout.ts [contacts]` (also part of `npm run bench`, BENCH_SMS_CONTACTS).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SmsRecipientView, WarningView } from '@beacon/protocol';
import { openStore } from '../../signaling/src/store/index.ts';
import { startBeaconProcess } from '../src/beaconProcess.ts';
import { FakeSmsc } from '../src/fakesmsc.ts';
import { freePortBlock } from '../src/ports.ts';
import { apiJson, loginApi } from '../src/signaling.ts';
import { waitFor } from '../src/waitFor.ts';

const DESCRIPTION =
  '预计未来3小时将出现100毫米以上强降雨，可能引发山洪、滑坡、泥石流，请立即组织危险区域群众转移避险。';

async function seedVillages(dataDir: string, contacts: number): Promise<void> {
  const store = await openStore({
    file: join(dataDir, 'beacon.sqlite'),
    seed: { demoPassword: 'beacon2026', demoPasswordChosen: true },
  });
  for (let i = 0; i < contacts; i++) {
    await store.villages.create({
      id: `bench-v${i}`,
      townshipId: 'lucheng',
      name: `测试村${i}`,
      kind: 'village',
      code: null,
      contactName: `联系人${i}`,
      contactMobile: `137${String(i).padStart(8, '0')}`,
      lat: null,
      lon: null,
    });
  }
  await store.close();
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

export async function runSmsFanout(opts: { contacts: number }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'beacon-sms-bench-'));
  await seedVillages(dataDir, opts.contacts);
  const portBase = await freePortBlock(4);
  const beacon = await startBeaconProcess({
    dataDir,
    seed: 'beacon',
    env: {
      BEACON_DEMO: 'on',
      LOG_LEVEL: 'warn',
      BEACON_SMS: 'on',
      BEACON_SMSC: 'fake',
      BEACON_SMS_SENDER: '10690000',
      BEACON_SMS_PORT_BASE: String(portBase),
    },
  });
  const smsc = await FakeSmsc.connect(portBase + 3);
  try {
    const { token } = await loginApi(beacon.url, 'duty');
    const draft = await apiJson<WarningView>(beacon.url, token, '/api/v1/warnings', {
      method: 'POST',
      body: JSON.stringify({
        event: '暴雨',
        colour: 'red',
        headline: '鹿城镇暴雨红色预警',
        description: DESCRIPTION,
        area: { type: 'circle', center: [25.04, 101.54], radiusKm: 2 },
        expires: new Date(Date.now() + 3_600_000).toISOString(),
        escalationMinutes: 0,
      }),
    });
    const t0 = performance.now();
    await apiJson(beacon.url, token, `/api/v1/warnings/${draft.id}/issue`, { method: 'POST', body: '{}' });
    let submittedMs: number | null = null;
    let deliveredMs: number | null = null;
    let atSmscMs: number | null = null;
    let last: SmsRecipientView[] = [];
    await waitFor(
      'every delivery report',
      async () => {
        last = await apiJson<SmsRecipientView[]>(beacon.url, token, `/api/v1/warnings/${draft.id}/sms`);
        const now = performance.now() - t0;
        const total = opts.contacts;
        if (submittedMs === null && last.filter((r) => r.submittedAt).length === total) submittedMs = now;
        if (atSmscMs === null && smsc.texts().length >= total) atSmscMs = now;
        if (deliveredMs === null && last.filter((r) => r.deliveredAt).length === total) deliveredMs = now;
        return deliveredMs !== null && submittedMs !== null && atSmscMs !== null;
      },
      Boolean,
      { timeoutMs: 120_000 + opts.contacts * 100, intervalMs: 100 },
    ).catch(() => {
      // Reported, not thrown: a delivery report Kannel could not hand over is lost (as with a real SMSC), and the
      // figures say how many came back in time.
    });
    const parts = last[0]?.parts ?? 0;
    return {
      contacts: opts.contacts,
      partsPerText: parts,
      'all submitted (s)': seconds(submittedMs),
      'all at fake SMSC (s)': seconds(atSmscMs),
      'all delivery-reported (s)': seconds(deliveredMs),
      'texts/s': deliveredMs ? Math.round((opts.contacts * 1000) / deliveredMs) : null,
      'SMS parts/s': deliveredMs ? Math.round((opts.contacts * parts * 1000) / deliveredMs) : null,
      'delivery-reported': last.filter((r) => r.deliveredAt).length,
      failed: last.filter((r) => r.state === 'failed').length,
    };
  } finally {
    await smsc.stop();
    await beacon.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const contacts = Number(process.argv[2] ?? 1000);
  console.table([await runSmsFanout({ contacts })]);
}
