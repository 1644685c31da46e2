/**
 * `npm run fuzz`: a real Beacon (child process, as test/bench and test/soak
 * start it) under generated hostile input, with figures printed:
 *   socket  — socket.io payloads from the protocol's schemas (socketSection.ts)
 *   rest    — every REST route, malformed (restSection.ts)
 *   xml     — mutated CAP files, XML bombs, hostile uploads (xmlSection.ts)
 *   faults  — kill -9 during 200 acks/s, restart, count what was lost (ackKillSection.ts)
 *   sip     — malformed SIP to Kamailio, random RTP to the gateway, a phone in a meeting throughout (sipSection.ts)
 *   meeting — kill -9 of the media worker, Kamailio, coturn, Redis and PostgreSQL during a meeting, in turn:
 *             recovered, time to recover, acks lost (meetingFaultsSection.ts)
 * Options and defaults: fuzzOptions.ts. Exit code 1 on a crash or a finding.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { startBeaconProcess } from '../src/beaconProcess.ts';
import { ackKillSection } from './ackKillSection.ts';
import { beaconEnv, fuzzOptions } from './fuzzOptions.ts';
import { meetingFaultsSection } from './meetingFaultsSection.ts';
import { restSection } from './restSection.ts';
import { sipSection } from './sipSection.ts';
import { socketSection } from './socketSection.ts';
import { xmlSection } from './xmlSection.ts';

async function main(): Promise<boolean> {
  const options = fuzzOptions();
  const jwtSecret = randomBytes(32).toString('base64url');
  console.log(`# Fuzz: sections ${options.FUZZ_SECTIONS.join(', ')}, seed ${options.seed} (FUZZ_SEED repeats it)`);
  let ok = true;
  const needsBeacon = options.FUZZ_SECTIONS.some((s) => s !== 'faults' && s !== 'sip' && s !== 'meeting');
  if (needsBeacon) {
    const beacon = await startBeaconProcess({ env: beaconEnv(options, jwtSecret) });
    const alive = () => isAlive(beacon.pid);
    try {
      if (options.FUZZ_SECTIONS.includes('socket')) {
        console.log('\n## Socket.io');
        const result = await socketSection(beacon, options, jwtSecret, alive);
        ok &&= result.ok;
      }
      if (options.FUZZ_SECTIONS.includes('rest') && alive()) {
        console.log('\n## REST');
        ok = (await restSection(beacon, options, jwtSecret)) && ok;
      }
      if (options.FUZZ_SECTIONS.includes('xml') && alive()) {
        console.log('\n## CAP/XML and uploads');
        ok = (await xmlSection(beacon, options, jwtSecret)) && ok;
      }
      const crashed = !alive();
      console.log(`\nBeacon process crashes: ${crashed ? 1 : 0}`);
      if (crashed) {
        ok = false;
        console.log(beacon.output().slice(-5_000));
      }
    } finally {
      if (options.FUZZ_BEACON_LOG) await writeFile(options.FUZZ_BEACON_LOG, beacon.output());
      await beacon.stop();
    }
  }
  if (options.FUZZ_SECTIONS.includes('faults')) {
    console.log('\n## Faults: kill -9 during acks');
    ok = (await ackKillSection(options)) && ok;
  }
  if (options.FUZZ_SECTIONS.includes('sip')) {
    console.log('\n## SIP and RTP');
    ok = (await sipSection(options)) && ok;
  }
  if (options.FUZZ_SECTIONS.includes('meeting')) {
    console.log('\n## Faults during a meeting: kill -9, in turn');
    ok = (await meetingFaultsSection(options)) && ok;
  }
  console.log(`\nFUZZ VERDICT: ${ok ? 'CLEAN' : 'FINDINGS (see above)'}`);
  return ok;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
