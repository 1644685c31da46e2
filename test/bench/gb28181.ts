/**
 * GB/T 28181 figures:
 *  - PS demux CPU: a 2 Mbit/s 25 fps H.264 clip as the simulator sends it (PS packs cut into 1,400-byte RTP
 *    payloads) through the platform's path — PsDemuxer, the SPS/PPS gate, RFC 6184 repacketizing — measured
 *    with process.cpuUsage over many passes: CPU per stream (% of one core) and streams per core.
 *  - Registrations: N simulated cameras (default 50, 4 channels each) register with digest auth, answer the
 *    catalog query and keep alive every second against one platform; register and keepalive round-trip
 *    p50/p99, and the CPU of the process (platform and simulators together: an upper bound for the platform).
 *
 *    With `--tcp` the cameras speak SIP over TCP (one kept connection each) instead of UDP.
 *
 * Run alone: `npm run ts -- test/bench/gb28181.ts [--cameras 50] [--seconds 20] [--tcp]` (also part of
 * `npm run bench`, over UDP).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { digestHa1 } from '../../signaling/src/gb28181/digest.ts';
import { GbPlatform } from '../../signaling/src/gb28181/GbPlatform.ts';
import { H264Gate, H264Packetizer, splitAnnexB } from '../../signaling/src/gb28181/h264Rtp.ts';
import { PsDemuxer } from '../../signaling/src/gb28181/PsDemuxer.ts';
import { SipEndpoint } from '../../signaling/src/gb28181/SipEndpoint.ts';
import { openStore } from '../../signaling/src/store/openStore.ts';
import { GbDevice } from '../src/gb28181/GbDevice.ts';
import { h264Clip } from '../src/gb28181/h264Clip.ts';
import { muxPsFrame, psRtpPackets } from '../src/gb28181/psMux.ts';
import { round } from './benchTools.ts';
import { percentile } from './stats.ts';

const REALM = '3402000000';
const SERVER_ID = '34020000002000000001';

export async function runPsDemuxCpu(opts: { seconds?: number; kbps?: number } = {}) {
  const seconds = opts.seconds ?? 10;
  const fps = 25;
  const clip = await h264Clip({ seconds, fps, kbps: opts.kbps ?? 2000, noise: true });
  const payloads: { payload: Buffer; marker: boolean }[] = [];
  clip.forEach((frame, index) => {
    const pack = muxPsFrame(frame.data, index * 3600, { key: frame.key });
    const packets = psRtpPackets(pack, { ssrc: 1, sequence: 0, timestamp: index * 3600 });
    packets.forEach((packet, i) => {
      payloads.push({ payload: packet.subarray(12), marker: i === packets.length - 1 });
    });
  });
  const streamBits = payloads.reduce((sum, p) => sum + p.payload.length, 0) * 8;
  const passes = 20;
  let frames = 0;
  let rtpOut = 0;
  const start = process.cpuUsage();
  for (let pass = 0; pass < passes; pass++) {
    const gate = new H264Gate();
    const packetizer = new H264Packetizer({ ssrc: 2, payloadType: 102 });
    const demuxer = new PsDemuxer((unit) => {
      const units = gate.accept(splitAnnexB(unit.data));
      if (!units) return;
      frames += 1;
      packetizer.frame(units, unit.pts ?? 0, () => {
        rtpOut += 1;
      });
    });
    for (const { payload, marker } of payloads) {
      demuxer.push(payload);
      if (marker) demuxer.flush();
    }
  }
  const used = process.cpuUsage(start);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const streamSeconds = (clip.length / fps) * passes;
  const percentPerStream = (cpuSeconds / streamSeconds) * 100;
  return {
    'stream Mbit/s (PS)': round(streamBits / (clip.length / fps) / 1e6, 2),
    'frames demuxed': frames,
    'RTP packets out': rtpOut,
    'CPU per stream (% of a core)': round(percentPerStream, 3),
    'streams per core': Math.floor(100 / percentPerStream),
  };
}

export async function runRegistrations(
  opts: { cameras?: number; seconds?: number; catalog?: boolean; transport?: 'udp' | 'tcp' } = {},
) {
  const count = opts.cameras ?? 50;
  const seconds = opts.seconds ?? 20;
  const dir = await mkdtemp(join(tmpdir(), 'beacon-gb-bench-'));
  const store = await openStore({ file: join(dir, 'beacon.sqlite') });
  const platform = new GbPlatform({
    sip: new SipEndpoint({ host: '127.0.0.1', port: 0 }),
    repo: store.cameras,
    options: { serverId: SERVER_ID, realm: REALM, keepaliveMs: 1000, missedKeepalives: 3 },
  });
  let catalogs = 0;
  platform.on('status', ({ deviceId, online }) => {
    if (online && opts.catalog !== false) void platform.queryCatalog(deviceId).then(() => (catalogs += 1));
  });
  const { port } = await platform.start();
  const devices: GbDevice[] = [];
  const registerMs: number[] = [];
  const keepaliveMs: number[] = [];
  let lost = 0;
  try {
    for (let i = 0; i < count; i++) {
      const id = `3402000000132${String(i).padStart(7, '0')}`;
      await store.cameras.createDevice({
        id,
        name: `cam ${i}`,
        townshipId: null,
        realm: REALM,
        ha1: digestHa1(id, REALM, 'pw-12345678'),
      });
      const channels = [1, 2, 3, 4].map((c) => ({
        id: `3402000000131${String(i * 10 + c).padStart(7, '0')}`,
        name: `ch ${c}`,
      }));
      devices.push(
        new GbDevice({
          deviceId: id,
          password: 'pw-12345678',
          realm: REALM,
          serverId: SERVER_ID,
          platform: { host: '127.0.0.1', port },
          channels,
          transport: opts.transport ?? 'udp',
        }),
      );
    }
    await Promise.all(devices.map((d) => d.open()));
    const cpuStart = process.cpuUsage();
    const wallStart = Date.now();
    await Promise.all(
      devices.map(async (d) => {
        const t0 = performance.now();
        if ((await d.register()) !== 200) throw new Error('registration refused');
        registerMs.push(performance.now() - t0);
      }),
    );
    const stopAt = Date.now() + seconds * 1000;
    await Promise.all(
      devices.map(async (d, i) => {
        await new Promise((r) => setTimeout(r, (i * 1000) / count));
        while (Date.now() < stopAt) {
          const t0 = performance.now();
          // The simulator does not retransmit over UDP as a device would: a lost one is counted, not retried.
          if ((await d.keepalive().catch(() => 0)) === 200) keepaliveMs.push(performance.now() - t0);
          else lost += 1;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }),
    );
    const used = process.cpuUsage(cpuStart);
    const wall = (Date.now() - wallStart) / 1000;
    return {
      cameras: count,
      SIP: opts.transport ?? 'udp',
      online: platform.onlineDevices().length,
      'catalogs stored': catalogs,
      'register p50/p99 ms': `${round(percentile(registerMs, 50), 1)} / ${round(percentile(registerMs, 99), 1)}`,
      keepalives: keepaliveMs.length,
      'keepalives lost': lost,
      'keepalive p50/p99 ms': `${round(percentile(keepaliveMs, 50), 2)} / ${round(percentile(keepaliveMs, 99), 2)}`,
      'process CPU % (platform + simulators)': round(((used.user + used.system) / 1e6 / wall) * 100, 1),
    };
  } finally {
    await Promise.all(devices.map((d) => d.close()));
    platform.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.LOG_LEVEL ??= 'warn';
  const { values } = parseArgs({
    options: {
      cameras: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '20' },
      tcp: { type: 'boolean', default: false },
    },
  });
  const transport = values.tcp ? 'tcp' : 'udp';
  console.log('## GB/T 28181: PS demux → H.264 RTP, 2 Mbit/s 25 fps clip (process.cpuUsage over 20 passes)');
  console.table([await runPsDemuxCpu()]);
  console.log(
    `\n## GB/T 28181: ${values.cameras} cameras register over ${transport.toUpperCase()}, answer the catalog and keep alive every 1 s`,
  );
  const cameras = Number(values.cameras);
  console.table([
    await runRegistrations({ cameras, seconds: Number(values.seconds), transport }),
    await runRegistrations({ cameras, seconds: Number(values.seconds), catalog: false, transport }),
  ]);
}
