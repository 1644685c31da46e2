/**
 * Kill -9 of Kamailio while a desk phone (SIPp, extension 8003) sits in 全市周例会 with the chair (a socket.io
 * client) in the room. Kamailio's death ends the SIP gateway, which signaling restarts, which starts Kamailio
 * again. Measured from the kill: until the phone can register again (register.xml answered 200), and until a
 * new call from it is in the meeting (the chair sees its phone peer).
 */
import { writeFile } from 'node:fs/promises';
import { loginApi, SignalingClient } from '../src/signaling.ts';
import { startSipBeacon } from '../src/sipBeacon.ts';
import { runSipp, type SippResult } from '../src/sipp.ts';
import { descendant, type FaultFigures, secondsUntil } from './faultFigures.ts';
import type { FuzzOptions } from './fuzzOptions.ts';

const ROOM = 'city-weekly';
const LIMIT_MS = 90_000;
const STEADY_MS = 120_000;

export async function kamailioFault(options: FuzzOptions): Promise<FaultFigures> {
  const sip = await startSipBeacon({ rtpTimeoutMs: STEADY_MS + 60_000, env: { LOG_LEVEL: options.FUZZ_LOG_LEVEL } });
  const chair = await SignalingClient.connect(sip.beacon.url, (await loginApi(sip.beacon.url, 'chair')).token);
  const target = `127.0.0.1:${sip.sip.port}`;
  let steady: Promise<SippResult> | undefined;
  try {
    await chair.join(ROOM);
    const password = await sip.phonePassword('8003');
    const phone = { authUser: '8003', password, keys: { from: '8003' } };
    const call = (pauseMs: number, timeoutMs: number) =>
      runSipp({ scenario: 'uac-pin-right.xml', target, service: '6001', ...phone, pauseMs, timeoutMs });
    const phonePeers = () =>
      [...chair.peers.values()].filter((p) => p.device === 'phone' && p.connection === 'connected');
    steady = call(STEADY_MS, STEADY_MS + 60_000);
    const inMeeting = await secondsUntil(performance.now(), async () => phonePeers().length > 0, 30_000);
    if (inMeeting === null) throw new Error('the phone never got into the meeting before the kill');
    const before = new Set(phonePeers().map((p) => p.peerId));

    const kamailio = await descendant(sip.beacon.pid, 'kamailio');
    if (kamailio === null) throw new Error('no Kamailio process found');
    const killedAt = performance.now();
    process.kill(kamailio, 'SIGKILL');
    // Until the new Kamailio answers (the old one's workers may still answer for a moment: not a recovery).
    const replaced = async () => {
      const now = await descendant(sip.beacon.pid, 'kamailio');
      return now !== null && now !== kamailio;
    };
    const registered = await secondsUntil(
      killedAt,
      async () =>
        (await replaced()) &&
        (
          await runSipp({
            scenario: 'register.xml',
            target,
            service: '8003',
            authUser: '8003',
            password,
            keys: { expires: '60' },
            timeoutMs: 3_000,
          })
        ).exitCode === 0,
      LIMIT_MS,
      250,
    );
    // Calls again until one is in the meeting (the gateway may still be connecting when Kamailio answers).
    let inAgain: number | null = null;
    let attempts = 0;
    while (registered !== null && inAgain === null && performance.now() - killedAt < LIMIT_MS) {
      attempts++;
      const again = call(5_000, 30_000);
      inAgain = await secondsUntil(killedAt, async () => phonePeers().some((p) => !before.has(p.peerId)), 12_000, 100);
      await again;
    }
    const steadyDropped = (await steady).exitCode !== 0;
    steady = undefined;
    return {
      fault: 'Kamailio (kill -9)',
      recovered: registered !== null && inAgain !== null,
      secondsToRecover: inAgain,
      recoveredWhen: 'a new call from the desk phone is in the meeting',
      ackedButLost: null,
      note: `new Kamailio answered REGISTER 200 after ${registered ?? '—'} s; calls tried: ${attempts}; the call in progress at the kill was ${steadyDropped ? 'dropped' : 'kept'}`,
    };
  } finally {
    chair.close();
    if (options.FUZZ_BEACON_LOG) await writeFile(`${options.FUZZ_BEACON_LOG}.kamailio`, sip.beacon.output());
    await sip.stop();
    await steady;
  }
}
