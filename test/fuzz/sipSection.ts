/**
 * The SIP and RTP part of `npm run fuzz`: a Beacon with Kamailio and the SIP
 * gateway; one desk phone (SIPp) sits in 全市周例会 throughout. Meanwhile
 * malformed SIP datagrams go to Kamailio, SIPp's own broken scenarios run,
 * and random RTP/RTCP goes to every gateway RTP port. Afterwards the gateway
 * must still be available, the phone still in the meeting and ending its
 * call cleanly, and a new call must get in.
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { freePortBlock } from '../src/ports.ts';
import { loginApi, SignalingClient } from '../src/signaling.ts';
import { startSipBeacon } from '../src/sipBeacon.ts';
import { isSippAvailable, runSipp } from '../src/sipp.ts';
import { waitFor } from '../src/waitFor.ts';
import type { FuzzOptions } from './fuzzOptions.ts';
import { Random } from './random.ts';
import { mutateSip, randomRtp, sipTemplates } from './sipDatagrams.ts';

const RTP_PORTS = 40;
/** How long the steady phone stays in the meeting: the whole fuzz, with a margin. */
const STEADY_MS = 60_000;

export async function sipSection(options: FuzzOptions): Promise<boolean> {
  if (!isSippAvailable() || spawnSync('kamailio', ['-v'], { stdio: 'ignore' }).error) {
    console.log('skipped: SIPp or Kamailio is not installed (npm test setup installs them)');
    return true;
  }
  const rtpMin = await freePortBlock(RTP_PORTS);
  const sip = await startSipBeacon({
    rtpPortCount: RTP_PORTS,
    // SIPp plays its few seconds of audio, then is silent: without this the gateway would end the quiet call itself.
    rtpTimeoutMs: STEADY_MS + 60_000,
    env: {
      LOG_LEVEL: options.FUZZ_LOG_LEVEL,
      BEACON_SIP_RTP_PORT_MIN: String(rtpMin),
      BEACON_SIP_RTP_PORT_MAX: String(rtpMin + RTP_PORTS - 1),
    },
  });
  const random = new Random(options.seed + 3);
  const target = `127.0.0.1:${sip.sip.port}`;
  const chair = await SignalingClient.connect(sip.beacon.url, (await loginApi(sip.beacon.url, 'chair')).token);
  try {
    await chair.join('city-weekly');
    const phone = { authUser: '8003', password: await sip.phonePassword('8003'), keys: { from: '8003' } };
    const steady = runSipp({
      scenario: 'uac-pin-right.xml',
      target,
      service: '6001',
      ...phone,
      pauseMs: STEADY_MS,
      timeoutMs: STEADY_MS + 60_000,
    });
    const phonePeer = () => [...chair.peers.values()].find((p) => p.device === 'phone');
    await waitFor(
      'the steady phone in the meeting',
      async () => phonePeer(),
      (p) => p !== undefined,
      { timeoutMs: 30_000, intervalMs: 200 },
    );

    const started = performance.now();
    const answers = await sendSip(random, sip.sip.port, options.FUZZ_SIP_DATAGRAMS);
    const broken = await Promise.all(
      ['malformed.xml', 'uac-bad-sdp.xml'].map(async (scenario) => ({
        scenario,
        exitCode: (await runSipp({ scenario, target, service: '6001', ...phone, timeoutMs: 30_000 })).exitCode,
      })),
    );
    const rtpSent = await sendRtp(random, rtpMin, RTP_PORTS, options.FUZZ_RTP_PER_PORT);
    const fuzzSeconds = (performance.now() - started) / 1000;

    const available = (await sip.status()).available;
    const stillIn = phonePeer()?.connection === 'connected';
    const steadyResult = await steady;
    const after = await runSipp({
      scenario: 'uac-pin-right.xml',
      target,
      service: '6001',
      ...phone,
      pauseMs: 2_000,
      timeoutMs: 60_000,
    });
    console.log(
      `Malformed SIP datagrams to Kamailio: ${options.FUZZ_SIP_DATAGRAMS} in ${fuzzSeconds.toFixed(1)} s, answers by status:`,
    );
    console.table(answers);
    console.log('SIPp broken scenarios (exit 0: Kamailio answered as the scenario expects):');
    console.table(broken);
    console.table({
      'random RTP/RTCP datagrams to the gateway ports': rtpSent,
      'gateway available after': available,
      'steady phone still in the meeting after the fuzz': stillIn,
      'steady phone call ended cleanly (SIPp exit 0)': steadyResult.exitCode === 0,
      'a new call after the fuzz got in (SIPp exit 0)': after.exitCode === 0,
    });
    if (steadyResult.exitCode !== 0)
      console.log(`steady call: ${steadyResult.errors || steadyResult.stdout.slice(-1_500)}`);
    return available && stillIn && steadyResult.exitCode === 0 && after.exitCode === 0;
  } finally {
    chair.close();
    await sip.stop();
  }
}

async function sendSip(random: Random, port: number, count: number): Promise<Record<string, number>> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const answers: Record<string, number> = {};
  socket.on('message', (msg) => {
    const status = /^SIP\/2\.0 (\d{3})/.exec(msg.toString('latin1'))?.[1] ?? 'not a response';
    answers[status] = (answers[status] ?? 0) + 1;
  });
  const templates = sipTemplates('127.0.0.1', port, socket.address().port);
  for (let i = 0; i < count; i++) {
    const { data } = mutateSip(random, random.pick(templates).replaceAll('fuzz', `fuzz${i}-`));
    await new Promise<void>((resolve) => socket.send(data, port, '127.0.0.1', () => resolve()));
    // Paced: a burst would only measure the kernel's socket buffer.
    if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  socket.close();
  return answers;
}

async function sendRtp(random: Random, first: number, ports: number, perPort: number): Promise<number> {
  const socket = createSocket('udp4');
  let sent = 0;
  for (let i = 0; i < perPort; i++) {
    for (let port = first; port < first + ports; port++) {
      await new Promise<void>((resolve) => socket.send(randomRtp(random), port, '127.0.0.1', () => resolve()));
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  socket.close();
  return sent;
}
