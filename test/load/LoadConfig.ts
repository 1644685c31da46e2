/**
 * What a load run asks for, validated once at the edge (CLI flags, bench and
 * soak code), and where each participant goes.
 *
 * Placement is round robin on both axes: participant i connects to
 * `urls[i % urls.length]` and joins `rooms[i % rooms.length]`, so rooms fill
 * evenly while the ramp runs and, once several signaling nodes share rooms
 * (Redis mode), every room spans every node.
 */
import { z } from 'zod';

export const loadConfigSchema = z.object({
  /** Signaling nodes (`http://127.0.0.1:3000`); participants are spread over them. */
  urls: z.array(z.url()).min(1),
  /**
   * A `service` token of the nodes (the SIP gateway's kind): it mints one
   * leg token per participant with `sip:legToken`, exactly as the gateway does.
   */
  serviceToken: z.string().min(1),
  /** Room ids that exist in the store (loadRooms.ts creates some). */
  rooms: z.array(z.string().min(1).max(64)).min(1),
  /** Participants per room; total = rooms × perRoom. */
  perRoom: z.number().int().min(1),
  /** Joins started per second; 0 = as fast as `maxInFlight` allows. Default 20. */
  rampPerSecond: z.number().min(0).default(20),
  /** Joins in progress at once, at most. Default 50. */
  maxInFlight: z.number().int().min(1).default(50),
  /** Open a PCMU producer and send a tone at 50 packets/s. Default true. */
  media: z.boolean().default(true),
  /**
   * Distinguishes this run's phone identities (`phone:load-<tag>-<i>`) from
   * another generator's on the same nodes. Default: random.
   */
  tag: z
    .string()
    .regex(/^[a-z0-9]{1,12}$/)
    .default(() => Math.random().toString(36).slice(2, 8)),
  /** Per request (connect, join, media, leave). Default 10 000 ms. */
  requestTimeoutMs: z.number().int().positive().default(10_000),
});

export type LoadConfigInput = z.input<typeof loadConfigSchema>;
export type LoadConfig = z.infer<typeof loadConfigSchema>;

export interface Placement {
  index: number;
  url: string;
  roomId: string;
  /** Caller number on the leg token: unique per run, so every participant is its own user. */
  fromNumber: string;
}

export function placeParticipants(config: Pick<LoadConfig, 'urls' | 'rooms' | 'perRoom' | 'tag'>): Placement[] {
  const total = config.rooms.length * config.perRoom;
  return Array.from({ length: total }, (_, index) => ({
    index,
    url: config.urls[index % config.urls.length] as string,
    roomId: config.rooms[index % config.rooms.length] as string,
    fromNumber: `load-${config.tag}-${index}`,
  }));
}
