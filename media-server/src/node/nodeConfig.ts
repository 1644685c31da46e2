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
 * | MEDIA_NODE_CONTROL_URL            | control URL announced in Redis                           | http(s)://<announced or control host>:<port> |
 * | MEDIA_NODE_CLIENT_GRACE_MS        | peers of a vanished signaling client are closed after    | 15000        |
 * | MEDIA_NODE_TLS_CERT / _KEY        | the node's control certificate and key (PEM), issued by  | unset        |
 * |                                   | Beacon's CA: `npm run media-node-cert` on signaling      |              |
 * | MEDIA_NODE_TLS_CA                 | Beacon's CA (PEM): signaling's client certificate must   | unset        |
 * |                                   | be issued by it (mutual TLS)                             |              |
 * | MEDIA_NODE_TLS_WATCH_MS           | how often the three TLS files are checked for a renewed  | 30000        |
 * |                                   | certificate (also loaded on SIGHUP; rooms stay)          |              |
 * | MEDIA_NODE_RECORDINGS_DIR         | the only directory recordings are written to             | ./recordings |
 * | MEDIA_NODE_PLAIN_TARGETS          | addresses / CIDR networks plain RTP (SIP gateway taps)   | 127.0.0.0/8, |
 * |                                   | may be sent to: the gateway's RTP addresses              | ::1          |
 * | MEDIA_NODE_PLAIN_TARGET_PORTS     | destination ports plain RTP may go to (`min-max`): the   | 42000-42999  |
 * |                                   | gateway's BEACON_SIP_RTP_PORT_MIN/MAX                    |              |
 * | MEDIA_NODE_PIPE_ALLOW             | addresses / CIDR networks a cascade pipe may connect to, | unset        |
 * |                                   | on top of the remote node's registered addresses that    |              |
 * |                                   | signaling names (a pipe opened without them: loopback)   |              |
 * | MEDIA_NODE_REDIS_CA               | CA (PEM) of a rediss:// Redis with a private CA          | system CAs   |
 *
 * The control port is HTTPS with mutual TLS when the three TLS files are
 * given; without them it may only listen on loopback (a node started next
 * to signaling on one machine): plain HTTP on any other address is refused
 * at start (`media_node_tls_required`), since the key and every control
 * call would cross the network in clear.
 *
 * The key is a pre-shared secret (not a JWT) so a media node needs no user
 * database or token issuer; give signaling the same value. Rotate it by
 * restarting both with a new value.
 */
import os from 'node:os';
import { CodedError, isLoopbackHost } from '@beacon/common';
import { z } from 'zod';
import { type MediaServerOptionsInput, mediaServerOptionsSchema } from '../MediaServerOptions.ts';
import { parseAddressOrNetwork } from '../plainTargets.ts';

const port = z.coerce.number().int().min(0).max(65_535);
const rtcPort = z.coerce.number().int().min(1).max(65_535);
const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean),
);

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
  MEDIA_NODE_TLS_CERT: z.string().min(1).optional(),
  MEDIA_NODE_TLS_KEY: z.string().min(1).optional(),
  MEDIA_NODE_TLS_CA: z.string().min(1).optional(),
  MEDIA_NODE_TLS_WATCH_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  MEDIA_NODE_RECORDINGS_DIR: z.string().min(1).default('./recordings'),
  MEDIA_NODE_PLAIN_TARGETS: commaList.optional(),
  MEDIA_NODE_PLAIN_TARGET_PORTS: z
    .string()
    .regex(/^\s*\d{1,5}\s*-\s*\d{1,5}\s*$/, 'a port range min-max')
    .transform((value) => {
      const [min, max] = value.split('-').map((part) => Number(part.trim()));
      return { min: min as number, max: max as number };
    })
    // The SIP gateway's default RTP ports (sip-gateway/src/config.ts).
    .default({ min: 42_000, max: 42_999 }),
  MEDIA_NODE_PIPE_ALLOW: commaList
    .pipe(
      z
        .array(z.string().refine((entry) => parseAddressOrNetwork(entry) !== null, 'an IP address or a CIDR network'))
        .min(1),
    )
    .optional(),
  MEDIA_NODE_REDIS_CA: z.string().min(1).optional(),
});

const TLS_FILES = ['MEDIA_NODE_TLS_CERT', 'MEDIA_NODE_TLS_KEY', 'MEDIA_NODE_TLS_CA'] as const;

export type MediaNodeConfigErrorCode = 'media_node_tls_required' | 'media_node_tls_incomplete';

/** A configuration the node refuses to start with, for a reason an operator must act on. */
export class MediaNodeConfigError extends CodedError<MediaNodeConfigErrorCode> {
  override readonly name = 'MediaNodeConfigError';
}

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
  /** Files of the control port's mutual TLS; null: plain HTTP on loopback. */
  tls: { certFile: string; keyFile: string; caFile: string; watchIntervalMs: number } | null;
  /** CA file for a rediss:// MEDIA_NODE_REDIS_URL; null: the system's CAs. */
  redisCaFile: string | null;
  /**
   * An operator's restriction of cascade pipe endpoints, on top of the registered addresses signaling names
   * for the remote node; null: none (a pipe opened without those addresses: loopback, PipeHub's default).
   */
  pipeAllow: string[] | null;
}

/**
 * Validates the environment; throws a ZodError naming the bad variable, or a MediaNodeConfigError when the
 * control port would be plain HTTP off loopback.
 */
export function loadMediaNodeConfig(env: NodeJS.ProcessEnv = process.env): MediaNodeConfig {
  const parsed = envSchema.parse(env);
  const given = TLS_FILES.filter((name) => parsed[name] !== undefined);
  if (given.length > 0 && given.length < TLS_FILES.length) {
    throw new MediaNodeConfigError(
      'media_node_tls_incomplete',
      `mutual TLS needs all of ${TLS_FILES.join(', ')}; missing: ${TLS_FILES.filter((n) => !given.includes(n)).join(', ')}`,
    );
  }
  if (given.length === 0 && !isLoopbackHost(parsed.MEDIA_NODE_CONTROL_HOST)) {
    throw new MediaNodeConfigError(
      'media_node_tls_required',
      `the control port on ${parsed.MEDIA_NODE_CONTROL_HOST} needs mutual TLS (MEDIA_NODE_TLS_CERT, MEDIA_NODE_TLS_KEY, MEDIA_NODE_TLS_CA from \`npm run media-node-cert\`); plain HTTP is only allowed on loopback (MEDIA_NODE_CONTROL_HOST=127.0.0.1)`,
    );
  }
  const media: MediaServerOptionsInput = {
    listenIp: parsed.MEDIA_NODE_LISTEN_IP,
    rtcPortBase: parsed.MEDIA_NODE_RTC_PORT_BASE,
    plainPortRange: { min: parsed.MEDIA_NODE_PLAIN_PORT_MIN, max: parsed.MEDIA_NODE_PLAIN_PORT_MAX },
    ...(parsed.MEDIA_NODE_ANNOUNCED_ADDRESS ? { announcedAddress: parsed.MEDIA_NODE_ANNOUNCED_ADDRESS } : {}),
    ...(parsed.MEDIA_NODE_WORKERS ? { numWorkers: parsed.MEDIA_NODE_WORKERS } : {}),
    recordingsDir: parsed.MEDIA_NODE_RECORDINGS_DIR,
    ...(parsed.MEDIA_NODE_PLAIN_TARGETS ? { plainTargets: parsed.MEDIA_NODE_PLAIN_TARGETS } : {}),
    plainTargetPorts: parsed.MEDIA_NODE_PLAIN_TARGET_PORTS,
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
    tls:
      parsed.MEDIA_NODE_TLS_CERT && parsed.MEDIA_NODE_TLS_KEY && parsed.MEDIA_NODE_TLS_CA
        ? {
            certFile: parsed.MEDIA_NODE_TLS_CERT,
            keyFile: parsed.MEDIA_NODE_TLS_KEY,
            caFile: parsed.MEDIA_NODE_TLS_CA,
            watchIntervalMs: parsed.MEDIA_NODE_TLS_WATCH_MS,
          }
        : null,
    redisCaFile: parsed.MEDIA_NODE_REDIS_CA ?? null,
    pipeAllow: parsed.MEDIA_NODE_PIPE_ALLOW ?? null,
  };
}
