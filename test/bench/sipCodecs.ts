/**
 * What a wideband phone costs the gateway: the mixer's CPU per G.722 leg
 * against a PCMA leg. Same rooms, same browser speakers (Opus decoded at
 * 16 kHz in each room's tap), every leg a real PhoneMedia on loopback UDP
 * fed by synthetic phones in a worker thread; one phone per room talks.
 * A run without legs gives the rooms' fixed cost (tap decoding), taken off
 * before dividing by the legs.
 *
 * A G.722 leg decodes and encodes with G.722 (QMF + two ADPCM bands per
 * sample pair) where a PCMA leg does one table look-up per sample, and it
 * hears the 16 kHz mix; a PCMA leg hears the 8 kHz mix, whose browser
 * sources are each downsampled once per tick for the whole room.
 *
 * The mixer runs measure wall time (the event loop's utilisation), which a
 * busy machine inflates; `runCodecCpu` measures the codecs alone in CPU time
 * (process.cpuUsage), which it does not.
 *
 * Run alone: `node --import tsx test/bench/sipCodecs.ts` (also part of `npm run bench`).
 */
import { g711Decode, g711Encode } from '../../sip-gateway/src/media/g711.ts';
import { G722Decoder, G722Encoder } from '../../sip-gateway/src/media/g722.ts';
import { runMixerBench } from '../../sip-gateway/src/media/mixerBench.ts';
import { SineSource } from '../../sip-gateway/src/media/toneTesting.ts';

export interface CodecCostRow {
  codec: string;
  legs: number;
  cpuPercentOfOneCore: number;
  /** CPU per leg per 20 ms tick, the rooms' fixed cost taken off. */
  usPerLegTick: number;
  /** Legs one core could carry at this cost (fixed cost aside). */
  legsPerCore: number;
  lateTicks: number;
  framesSent: number;
  framesExpected: number;
}

export async function runCodecCost(rooms: number, legsPerRoom: number, seconds: number): Promise<CodecCostRow[]> {
  const common = { rooms, speakersPerRoom: 2, seconds };
  const base = await runMixerBench({ ...common, legsPerRoom: 0 });
  const rows: CodecCostRow[] = [
    {
      codec: 'none (tap only)',
      legs: 0,
      cpuPercentOfOneCore: base.cpuPercentOfOneCore,
      usPerLegTick: 0,
      legsPerCore: 0,
      lateTicks: base.late,
      framesSent: 0,
      framesExpected: 0,
    },
  ];
  for (const codec of ['PCMA', 'G722'] as const) {
    const result = await runMixerBench({ ...common, legsPerRoom, codec });
    const legs = rooms * legsPerRoom;
    const perLegShare = Math.max(0, result.cpuPercentOfOneCore - base.cpuPercentOfOneCore) / 100 / legs;
    rows.push({
      codec,
      legs,
      cpuPercentOfOneCore: result.cpuPercentOfOneCore,
      usPerLegTick: Math.round((perLegShare * 1e6) / 50),
      legsPerCore: perLegShare > 0 ? Math.floor(1 / perLegShare) : 0,
      lateTicks: result.late,
      framesSent: result.framesSent,
      framesExpected: result.framesExpected,
    });
  }
  return rows;
}

export interface CodecCpuRow {
  codec: string;
  encodeUsPerFrame: number;
  decodeUsPerFrame: number;
}

/** CPU µs to encode and to decode one 20 ms frame, per codec. */
export function runCodecCpu(frames = 20_000): CodecCpuRow[] {
  const wide = Array.from(
    { length: 50 },
    (
      (tone) => () =>
        tone.next()
    )(new SineSource(440, 6000, 16_000)),
  );
  const narrow = Array.from(
    { length: 50 },
    (
      (tone) => () =>
        tone.next()
    )(new SineSource(440, 6000)),
  );
  const cpuUs = (run: (i: number) => void) => {
    for (let i = 0; i < 2000; i++) run(i);
    const start = process.cpuUsage();
    for (let i = 0; i < frames; i++) run(i);
    const used = process.cpuUsage(start);
    return Math.round(((used.user + used.system) / frames) * 10) / 10;
  };
  const encoder = new G722Encoder();
  const decoder = new G722Decoder();
  const g722 = Buffer.alloc(160);
  const pcm = new Int16Array(320);
  const alaw = g711Encode('PCMA', narrow[0] as Int16Array);
  return [
    {
      codec: 'PCMA',
      encodeUsPerFrame: cpuUs((i) => g711Encode('PCMA', narrow[i % 50] as Int16Array)),
      decodeUsPerFrame: cpuUs(() => g711Decode('PCMA', alaw)),
    },
    {
      codec: 'G722',
      encodeUsPerFrame: cpuUs((i) => encoder.encodeInto(wide[i % 50] as Int16Array, g722)),
      decodeUsPerFrame: cpuUs(() => decoder.decodeInto(g722, pcm)),
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('## Codec CPU per 20 ms frame (process.cpuUsage)');
  console.table(runCodecCpu());
  const rooms = Number(process.env.BENCH_SIP_ROOMS ?? 4);
  const legs = Number(process.env.BENCH_SIP_LEGS ?? 20);
  console.log(`\n## SIP leg cost by codec (${rooms} rooms × ${legs} legs, 2 browser speakers per room, 10 s)`);
  console.table(await runCodecCost(rooms, legs, 10));
}
