/**
 * The mixer under a realistic load, for `npm run bench`: rooms of phone
 * legs (real PhoneMedia endpoints on loopback UDP, fed by synthetic phones
 * in a worker thread) and browser speakers (Opus streams into each room's
 * RoomTap), all mixed by one MixerClock as the gateway runs them.
 *
 * The CPU figure is the event-loop utilisation of this thread over the
 * measured window: everything the gateway's media path does (receiving,
 * decoding, mixing, encoding, sending) runs on it, the synthetic phones
 * do not.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { BENCH_PHONES_SOURCE } from './benchPhones.ts';
import { comfortNoiseFrame } from './comfortNoise.ts';
import { g711Encode } from './g711.ts';
import { G722Encoder } from './g722.ts';
import { Upsampler } from './halfband.ts';
import { MixerClock } from './MixerClock.ts';
import { encodeOpusTone } from './opusTesting.ts';
import { PhoneMedia } from './PhoneMedia.ts';
import { RoomMixer } from './RoomMixer.ts';
import { RoomTap } from './RoomTap.ts';
import { SineSource } from './toneTesting.ts';

export interface MixerBenchOptions {
  rooms: number;
  legsPerRoom: number;
  /** Browser speakers per room, each an Opus stream into the room's tap. */
  speakersPerRoom: number;
  /** Length of the measured window; a one-second warm-up comes first. */
  seconds: number;
  /** Phone legs per room that talk (a tone) instead of sending line noise. Default 1. */
  phoneSpeakersPerRoom?: number;
  /** The phones' codec (all legs alike). Default PCMU. */
  codec?: 'PCMU' | 'PCMA' | 'G722';
}

export interface MixerBenchResult {
  cpuPercentOfOneCore: number;
  ticks: number;
  late: number;
  maxLateMs: number;
  /** Packets the gateway sent to phones during the window. */
  framesSent: number;
  /** legs × 50 per second of wall-clock window. */
  framesExpected: number;
  /** Packets the synthetic phones received over the whole run (warm-up included). */
  phonesReceived: number;
  skipped: number;
}

const WARM_UP_MS = 1000;
const PORTS = { min: 30_000, max: 49_998 };

export async function runMixerBench(opts: MixerBenchOptions): Promise<MixerBenchResult> {
  const phoneSpeakers = Math.min(opts.legsPerRoom, opts.phoneSpeakersPerRoom ?? 1);
  const codec = opts.codec ?? 'PCMU';
  const payloadType = { PCMU: 0, PCMA: 8, G722: 9 }[codec];
  const tone = new SineSource(440, 6000);
  const speech = phonePayloads(codec, () => tone.next());
  const lineNoise = phonePayloads(codec, comfortNoiseFrame);
  const opus = encodeOpusTone(620, 6000, 50);
  const payloads = [speech, lineNoise, opus];

  const mixers: RoomMixer[] = [];
  const taps: RoomTap[] = [];
  const legs: PhoneMedia[] = [];
  const phones: { payloads: number; payloadType: number; port: number }[] = [];
  const streams: { port: number; ssrc: number; payloadType: number; payloads: number }[] = [];
  const clock = new MixerClock();
  let worker: Worker | null = null;
  try {
    for (let r = 0; r < opts.rooms; r++) {
      const mixer = new RoomMixer();
      const tap = await RoomTap.open({ localIp: '127.0.0.1' });
      mixer.setTap(tap);
      mixers.push(mixer);
      taps.push(tap);
      for (let s = 0; s < opts.speakersPerRoom; s++) {
        const ssrc = 0x20000 + r * 100 + s;
        tap.addStream({
          producerId: `p${r}-${s}`,
          peerId: `browser${r}-${s}`,
          ssrc,
          payloadType: 100,
          mimeType: 'audio/opus',
          clockRate: 48_000,
          channels: 2,
        });
        streams.push({ port: tap.localPort, ssrc, payloadType: 100, payloads: 2 });
      }
      for (let l = 0; l < opts.legsPerRoom; l++) {
        const leg = await PhoneMedia.open({ localIp: '127.0.0.1', portRange: PORTS });
        mixer.addLeg(`leg${r}-${l}`, leg);
        legs.push(leg);
        phones.push({ payloads: l < phoneSpeakers ? 0 : 1, payloadType, port: leg.localPort });
      }
      clock.add(mixer);
    }

    // No inherited flags (--input-type=module, loaders): the source is plain CommonJS.
    worker = new Worker(BENCH_PHONES_SOURCE, { eval: true, execArgv: [], workerData: { phones, streams, payloads } });
    const ready = await nextMessage<{ ports: number[] }>(worker, 'ready');
    legs.forEach((leg, i) => {
      leg.setFormat({
        codec,
        payloadType,
        telephoneEventPt: 101,
        remote: { ip: '127.0.0.1', port: ready.ports[i] as number },
      });
    });
    worker.postMessage('start');
    clock.start();
    await delay(WARM_UP_MS);

    const before = {
      ...clock.stats,
      sent: sumSent(legs),
      at: performance.now(),
      elu: performance.eventLoopUtilization(),
    };
    await delay(opts.seconds * 1000);
    const elu = performance.eventLoopUtilization(before.elu);
    const windowMs = performance.now() - before.at;
    const after = { ...clock.stats, sent: sumSent(legs) };
    clock.stop();
    worker.postMessage('stop');
    const stopped = await nextMessage<{ received: number }>(worker, 'stopped');
    return {
      cpuPercentOfOneCore: Math.round(elu.utilization * 1000) / 10,
      ticks: after.ticks - before.ticks,
      late: after.late - before.late,
      maxLateMs: Math.round(after.maxLateMs * 10) / 10,
      framesSent: after.sent - before.sent,
      framesExpected: legs.length * Math.round(windowMs / 20),
      phonesReceived: stopped.received,
      skipped: after.skipped - before.skipped,
    };
  } finally {
    clock.stop();
    await worker?.terminate();
    for (const leg of legs) leg.close();
    for (const tap of taps) tap.close();
  }
}

/** A second of a phone's payloads from 8 kHz frames (`frame(n)`), encoded as the phone would. */
function phonePayloads(codec: 'PCMU' | 'PCMA' | 'G722', frame: (n: number) => Int16Array): Buffer[] {
  const encoder = new G722Encoder();
  const up = new Upsampler();
  return Array.from({ length: 50 }, (_, n) =>
    codec === 'G722' ? encoder.encode(up.process(frame(n))) : g711Encode(codec, frame(n)),
  );
}

function sumSent(legs: PhoneMedia[]): number {
  return legs.reduce((n, leg) => n + leg.stats.packetsOut, 0);
}

function nextMessage<T>(worker: Worker, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: { type?: string } & T) => {
      if (msg?.type !== type) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(msg);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}
