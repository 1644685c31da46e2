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
 * Run alone: `node --import tsx test/bench/sipCodecs.ts` (also part of `npm run bench`).
 */
import { runMixerBench } from '../../sip-gateway/src/media/mixerBench.ts';

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

if (import.meta.url === `file://${process.argv[1]}`) {
  const rooms = Number(process.env.BENCH_SIP_ROOMS ?? 4);
  const legs = Number(process.env.BENCH_SIP_LEGS ?? 20);
  console.log(`## SIP leg cost by codec (${rooms} rooms × ${legs} legs, 2 browser speakers per room, 10 s)`);
  console.table(await runCodecCost(rooms, legs, 10));
}
