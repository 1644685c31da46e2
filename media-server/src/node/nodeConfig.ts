/**
 * Configuration of a standalone media node process, from the environment.
 *
 * | variable                          | meaning                                                  | default      |
 * | --------------------------------- | -------------------------------------------------------- | ------------ |
 * | MEDIA_NODE_ID                     | unique node name (registry key)                          | hostname     |
 * | MEDIA_NODE_REGION                 | region label signaling places participants by            | 'default'    |
 * | MEDIA_NODE_KEY                    | pre-shared key signaling must present (≥ 32 chars)       | required     |
 * | MEDIA_NODE_CONTROL_HOST           | address the control server listens on                    | '0.0.0.0'    |
 * | MEDIA_NODE_CONTROL_PORT           | its TCP port; 0 picks a free one (printed on stdout)     | 4480         |
 * | MEDIA_NODE_LISTEN_IP              | media bind address (WebRTC, plain, pipe transports)      | '0.0.0.0'    |
 * | MEDIA_NODE_ANNOUNCED_ADDRESS      | media address browsers and other nodes reach             | auto-detect  |
 * | MEDIA_NODE_RTC_PORT_BASE          | WebRtcServer port of worker 0 (worker i: base + i)       | 40000        |
 * | MEDIA_NODE_PLAIN_PORT_MIN / _MAX  | UDP ports of plain and pipe transports                   | 41000-41999  |
 * | MEDIA_NODE_WORKERS                | mediasoup workers                                        | CPU count    |
 * | MEDIA_NODE_REDIS_URL              | register in Redis for discovery (redis://…)              | unset        |
 * | MEDIA_NODE_CONTROL_URL            | control URL announced in Redis                           | http://<announced or control host>:<port> |
 * | MEDIA_NODE_CLIENT_GRACE_MS        | peers of a vanished signaling client are closed after    | 15000        |
 *
 * The key is a pre-shared secret (not a JWT) so a media node needs no user
 * database or token issuer; give signaling the same value. Rotate it by
 * restarting both with a new value.
 */
import os from 'node:os';
import { z } from 'zod';
import { type MediaServerOptionsInput, mediaServerOptionsSchema } from '../MediaServerOptions.ts';

const port = z.coerce.number().int().min(0).max(65_535);
const rtcPort = z.coerce.number().int().min(1).max(65_535);

const envSchema = z.object({
  MEDIA_NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-" (at most 64)')
    .default(() => os.hostname()),
  MEDIA_NODE_REGION: z.string().min(1).max(64).default('default'),
  MEDIA_NODE_KEY: z.string().min(32, 'MEDIA_NODE_KEY must be at least 32 characters'),
  MEDIA_NODE_CONTROL_HOST: z.string().min(1).default('0.0.0.0'),
  MEDIA_NODE_CONTROL_PORT: port.default(4480),
  MEDIA_NODE_LISTEN_IP: z.union([z.ipv4(), z.ipv6()]).default('0.0.0.0'),
  MEDIA_NODE_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  MEDIA_NODE_RTC_PORT_BASE: rtcPort.default(40_000),
  MEDIA_NODE_PLAIN_PORT_MIN: rtcPort.default(41_000),
  MEDIA_NODE_PLAIN_PORT_MAX: rtcPort.default(41_999),
  MEDIA_NODE_WORKERS: z.coerce.number().int().min(1).max(128).optional(),
  MEDIA_NODE_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'a redis:// URL')
    .optional(),
  MEDIA_NODE_CONTROL_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'an http(s) URL')
    .optional(),
  MEDIA_NODE_CLIENT_GRACE_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
});

export interface MediaNodeConfig {
  nodeId: string;
  region: string;
  key: string;
  controlHost: string;
  controlPort: number;
  /** Peers of a signaling client that vanished are closed after this long. */
  clientGraceMs: number;
  /** Register in Redis for discovery (RedisRegistration); null: signaling lists this node itself. */
  redisUrl: string | null;
  /** The control URL to announce; null: derived from the announced address and the bound port. */
  controlUrl: string | null;
  /** What the node's MediaServer is created with (validated by its own schema too). */
  media: MediaServerOptionsInput;
}

/** Validates the environment; throws a ZodError naming the bad variable. */
export function loadMediaNodeConfig(env: NodeJS.ProcessEnv = process.env): MediaNodeConfig {
  const parsed = envSchema.parse(env);
  const media: MediaServerOptionsInput = {
    listenIp: parsed.MEDIA_NODE_LISTEN_IP,
    rtcPortBase: parsed.MEDIA_NODE_RTC_PORT_BASE,
    plainPortRange: { min: parsed.MEDIA_NODE_PLAIN_PORT_MIN, max: parsed.MEDIA_NODE_PLAIN_PORT_MAX },
    ...(parsed.MEDIA_NODE_ANNOUNCED_ADDRESS ? { announcedAddress: parsed.MEDIA_NODE_ANNOUNCED_ADDRESS } : {}),
    ...(parsed.MEDIA_NODE_WORKERS ? { numWorkers: parsed.MEDIA_NODE_WORKERS } : {}),
  };
  mediaServerOptionsSchema.parse(media);
  return {
    nodeId: parsed.MEDIA_NODE_ID,
    region: parsed.MEDIA_NODE_REGION,
    key: parsed.MEDIA_NODE_KEY,
    controlHost: parsed.MEDIA_NODE_CONTROL_HOST,
    controlPort: parsed.MEDIA_NODE_CONTROL_PORT,
    clientGraceMs: parsed.MEDIA_NODE_CLIENT_GRACE_MS,
    redisUrl: parsed.MEDIA_NODE_REDIS_URL ?? null,
    controlUrl: parsed.MEDIA_NODE_CONTROL_URL ?? null,
    media,
  };
}
