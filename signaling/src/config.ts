/**
 * Configuration, read from the environment and validated once at start.
 * There is no other config path: anything not listed here is not configurable.
 *
 *   BEACON_PORT              HTTP + socket.io port                     3000
 *   BEACON_HOST              listen address                            0.0.0.0
 *   BEACON_DATA_DIR          SQLite file, generated JWT secret         ./data
 *   BEACON_JWT_SECRET        HS256 secret, at least 32 characters;     (unset)
 *                            unset → generated once and kept in
 *                            <dataDir>/jwt-secret (mode 0600)
 *   BEACON_JWT_TTL_SECONDS   token lifetime                            43200 (12 h)
 *   BEACON_DEMO_PASSWORD     password of the seeded demo accounts      beacon2026
 *   BEACON_CONSOLE_DIST      built console served as static files      <repo>/console/dist
 *   BEACON_RECONNECT_GRACE_MS how long a dropped participant may resume   30000
 *                            (`reconnecting`) before it counts as left
 *   BEACON_SIP              run the SIP gateway (and Kamailio) as a   on
 *                            child process: on | off
 *   BEACON_SIP_REALM         SIP digest realm of the desk phones       beacon
 *                            (HA1s are stored per realm: changing it
 *                            needs new SIP passwords for every phone)
 *   BEACON_ESCALATION_TICK_MS how often unacknowledged alerts are        15000
 *                            checked for re-notification (escalation)
 *   BEACON_MAP_TILE_URL      optional online XYZ tile layer for the       (unset: offline
 *                            command room map, e.g. Tianditu with a key    basemap only)
 *                            (https://…/{z}/{x}/{y}…)
 *   BEACON_MAP_TILE_ATTRIBUTION credit shown for that layer                (unset)
 *   LOG_LEVEL                pino level (trace…fatal, silent)          info
 *   MEDIA_WORKERS            mediasoup workers                         os.availableParallelism()
 *   MEDIA_LISTEN_IP          RTC listen address                        0.0.0.0
 *   MEDIA_ANNOUNCED_ADDRESS  address announced in ICE candidates       (unset: listen IP)
 *   MEDIA_RTC_PORT_BASE      first RTC port (one port per worker)      40000
 *   MEDIA_LOG_LEVEL          mediasoup worker log level                warn
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const defaultConsoleDist = fileURLToPath(new URL('../../console/dist', import.meta.url));

const port = z.coerce.number().int().min(0).max(65535);
const nonEmpty = z.string().trim().min(1);

/** Schema over the raw environment; the output is the `Config` shape. */
export const configSchema = z
  .object({
    BEACON_PORT: port.default(3000),
    BEACON_HOST: nonEmpty.default('0.0.0.0'),
    BEACON_DATA_DIR: nonEmpty.default('./data'),
    BEACON_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    BEACON_JWT_TTL_SECONDS: z.coerce.number().int().positive().default(43_200),
    BEACON_DEMO_PASSWORD: nonEmpty.default('beacon2026'),
    BEACON_CONSOLE_DIST: nonEmpty.default(defaultConsoleDist),
    BEACON_RECONNECT_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
    BEACON_SIP: z.enum(['on', 'off']).default('on'),
    BEACON_ESCALATION_TICK_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
    BEACON_MAP_TILE_URL: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'an http(s) URL')
      .refine((url) => ['{z}', '{x}', '{y}'].every((part) => url.includes(part)), 'must contain {z}, {x} and {y}')
      .optional(),
    BEACON_MAP_TILE_ATTRIBUTION: z.string().trim().max(300).optional(),
    BEACON_SIP_REALM: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,64}$/, 'letters, digits, dots and dashes (a SIP realm)')
      .default('beacon'),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).default(os.availableParallelism()),
    MEDIA_LISTEN_IP: nonEmpty.default('0.0.0.0'),
    MEDIA_ANNOUNCED_ADDRESS: nonEmpty.optional(),
    MEDIA_RTC_PORT_BASE: z.coerce.number().int().min(1024).max(65000).default(40_000),
    MEDIA_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  })
  .transform((env) => ({
    port: env.BEACON_PORT,
    host: env.BEACON_HOST,
    dataDir: env.BEACON_DATA_DIR,
    ...(env.BEACON_JWT_SECRET === undefined ? {} : { jwtSecret: env.BEACON_JWT_SECRET }),
    jwtTtlSeconds: env.BEACON_JWT_TTL_SECONDS,
    demoPassword: env.BEACON_DEMO_PASSWORD,
    consoleDist: env.BEACON_CONSOLE_DIST,
    reconnectGraceMs: env.BEACON_RECONNECT_GRACE_MS,
    sip: env.BEACON_SIP === 'on',
    sipRealm: env.BEACON_SIP_REALM,
    escalationTickMs: env.BEACON_ESCALATION_TICK_MS,
    map: { tileUrl: env.BEACON_MAP_TILE_URL ?? null, tileAttribution: env.BEACON_MAP_TILE_ATTRIBUTION ?? null },
    logLevel: env.LOG_LEVEL,
    media: {
      numWorkers: env.MEDIA_WORKERS,
      listenIp: env.MEDIA_LISTEN_IP,
      ...(env.MEDIA_ANNOUNCED_ADDRESS === undefined ? {} : { announcedAddress: env.MEDIA_ANNOUNCED_ADDRESS }),
      rtcPortBase: env.MEDIA_RTC_PORT_BASE,
      workerLogLevel: env.MEDIA_LOG_LEVEL,
    },
  }));

export type Config = z.infer<typeof configSchema>;

/**
 * Validates the environment once. Empty strings count as unset. On bad input
 * throws one Error whose message lists every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const keys = Object.keys(configSchema.in.shape) as (keyof typeof configSchema.in.shape)[];
  const raw: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(config)');
    const got = name === 'BEACON_JWT_SECRET' ? '' : ` (got ${JSON.stringify(raw[name])})`;
    return `  ${name}: ${issue.message}${got}`;
  });
  const error = new Error(`invalid configuration:\n${lines.join('\n')}`);
  error.stack = error.message;
  throw error;
}
