/**
 * The meeting faults part of `npm run fuzz` (FUZZ_SECTIONS=meeting): during a live meeting, kill -9 in turn
 * (FUZZ_FAULT_KINDS) the mediasoup worker, Kamailio, coturn, Redis and PostgreSQL, each on a Beacon of its own,
 * and print per kill: recovered or not, the seconds from the kill until the service works again (what that
 * means is in the table), and the acks answered ok but lost where acks are involved. A kind whose tools are not
 * installed is skipped with the reason; a kind that does not recover is a finding (exit code 1).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { postgresUnavailableReason } from '../../signaling/src/store/testing/postgresServer.ts';
import { CHROMIUM_PATH } from '../src/browser.ts';
import { redisUnavailableReason } from '../src/redisServer.ts';
import { coturnFault } from './faultCoturn.ts';
import type { FaultFigures } from './faultFigures.ts';
import { kamailioFault } from './faultKamailio.ts';
import { postgresFault } from './faultPostgres.ts';
import { redisFault } from './faultRedis.ts';
import { workerFault } from './faultWorker.ts';
import type { FuzzOptions } from './fuzzOptions.ts';

const installed = (command: string, args: string[]) => !spawnSync(command, args, { stdio: 'ignore' }).error;

/** Each kind with why it cannot run here (undefined: it can). */
const KINDS: Record<string, { run: (o: FuzzOptions) => Promise<FaultFigures>; missing: () => string | undefined }> = {
  worker: {
    run: workerFault,
    missing: () => (existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH}`),
  },
  kamailio: {
    run: kamailioFault,
    missing: () =>
      installed('kamailio', ['-v']) && installed('sipp', ['-v']) ? undefined : 'Kamailio or SIPp missing',
  },
  coturn: { run: coturnFault, missing: () => (installed('turnserver', ['--version']) ? undefined : 'coturn missing') },
  redis: { run: redisFault, missing: () => redisUnavailableReason ?? undefined },
  postgres: { run: postgresFault, missing: postgresUnavailableReason },
};

export async function meetingFaultsSection(options: FuzzOptions): Promise<boolean> {
  const rows: FaultFigures[] = [];
  for (const kind of options.FUZZ_FAULT_KINDS) {
    const entry = KINDS[kind];
    const missing = entry ? entry.missing() : 'not measured by this section yet';
    if (!entry || missing) {
      console.log(`${kind}: skipped (${missing})`);
      continue;
    }
    console.log(`${kind}: killing…`);
    rows.push(
      await entry.run(options).catch(
        (err: unknown): FaultFigures => ({
          fault: kind,
          recovered: false,
          secondsToRecover: null,
          recoveredWhen: '',
          ackedButLost: null,
          note: `run failed: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`,
        }),
      ),
    );
  }
  console.table(
    rows.map((r) => ({
      fault: r.fault,
      recovered: r.recovered ? 'yes' : 'NO',
      'seconds to recover': r.secondsToRecover ?? '—',
      'recovered when': r.recoveredWhen,
      'acked but lost (goal 0)': r.ackedButLost ?? '—',
      note: r.note,
    })),
  );
  return rows.every((r) => r.recovered && (r.ackedButLost ?? 0) === 0);
}
