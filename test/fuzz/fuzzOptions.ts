/**
 * `npm run fuzz` options, from the environment (defaults in brackets):
 *
 *   FUZZ_SECTIONS       which parts run, comma-separated   [socket,rest,xml,faults,sip,meeting]
 *   FUZZ_SEED           seed of the generator (repeat a run) [random, printed]
 *   FUZZ_PAYLOADS       socket.io payloads per round       [100000]
 *   FUZZ_ROUNDS         socket rounds (memory after each)  [2]
 *   FUZZ_WINDOW         acks outstanding per socket        [16]
 *   FUZZ_ACK_TIMEOUT_MS an ack later than this is "no ack" [15000]
 *   FUZZ_HUGE_BYTES     largest "huge string" (socket.io's buffer limit is 1 MB: above it the server
 *                       closes the socket, which the figures count) [1200000]
 *   FUZZ_REST_PER_ROUTE requests per REST route            [60]
 *   FUZZ_REQUEST_MS     time bound of one REST/upload request (over it: a hang, a finding) [20000]
 *   FUZZ_ACKS_PER_S     acks per second in the kill -9 fault [200]
 *   FUZZ_KILL_AFTER_S   seconds of acks before the kill -9   [5]
 *   FUZZ_SIP_DATAGRAMS  malformed SIP datagrams to Kamailio [3000]
 *   FUZZ_RTP_PER_PORT   random RTP/RTCP datagrams to each gateway RTP port [50]
 *   FUZZ_RATES          Beacon's per-socket event rates: off (the fuzz reaches the handlers) or on
 *                       (Beacon's defaults: most payloads answered rate_limited) [off]
 *   FUZZ_LOG_LEVEL      Beacon's LOG_LEVEL during the fuzz [error]
 *   FUZZ_BEACON_LOG     a file to write Beacon's output to at the end (why something failed) [unset: none]
 *   FUZZ_FAULT_KINDS    what the meeting faults section kills, in turn [worker,kamailio,coturn,redis,postgres]
 */
import { z } from 'zod';

export const SECTIONS = ['socket', 'rest', 'xml', 'faults', 'sip', 'meeting'] as const;
export const FAULT_KINDS = ['worker', 'kamailio', 'coturn', 'redis', 'postgres'] as const;
export type Section = (typeof SECTIONS)[number];

const schema = z.object({
  FUZZ_SECTIONS: z
    .string()
    .default(SECTIONS.join(','))
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(SECTIONS))),
  FUZZ_SEED: z.coerce.number().int().optional(),
  FUZZ_PAYLOADS: z.coerce.number().int().min(0).default(100_000),
  FUZZ_ROUNDS: z.coerce.number().int().min(1).max(10).default(2),
  FUZZ_WINDOW: z.coerce.number().int().min(1).max(90).default(16),
  FUZZ_ACK_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  FUZZ_HUGE_BYTES: z.coerce.number().int().min(1_000).default(1_200_000),
  FUZZ_REST_PER_ROUTE: z.coerce.number().int().min(1).default(60),
  FUZZ_REQUEST_MS: z.coerce.number().int().min(100).default(20_000),
  FUZZ_ACKS_PER_S: z.coerce.number().int().min(1).default(200),
  FUZZ_KILL_AFTER_S: z.coerce.number().min(0.5).default(5),
  FUZZ_SIP_DATAGRAMS: z.coerce.number().int().min(0).default(3_000),
  FUZZ_RTP_PER_PORT: z.coerce.number().int().min(0).default(50),
  FUZZ_RATES: z.enum(['on', 'off']).default('off'),
  FUZZ_LOG_LEVEL: z.string().default('error'),
  FUZZ_BEACON_LOG: z.string().min(1).optional(),
  FUZZ_FAULT_KINDS: z
    .string()
    .default(FAULT_KINDS.join(','))
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(FAULT_KINDS))),
});

export type FuzzOptions = z.infer<typeof schema> & { seed: number };

export function fuzzOptions(env: NodeJS.ProcessEnv = process.env): FuzzOptions {
  const parsed = schema.parse(env);
  return { ...parsed, seed: parsed.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31) };
}

/** Beacon's environment for a fuzz run. */
export function beaconEnv(options: FuzzOptions, jwtSecret: string): Record<string, string> {
  const rates: Record<string, string> =
    options.FUZZ_RATES === 'off'
      ? { BEACON_RATE_MEDIA: 'off', BEACON_RATE_CONTROL: 'off', BEACON_RATE_COMMAND: 'off', BEACON_RATE_CHAT: 'off' }
      : {};
  return {
    BEACON_JWT_SECRET: jwtSecret,
    LOG_LEVEL: options.FUZZ_LOG_LEVEL,
    // The heap probe (heapProbe.ts) forces a garbage collection through the inspector, on loopback only.
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`,
    ...rates,
  };
}
