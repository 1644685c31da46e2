/**
 * Gateway configuration, read from the environment and validated once.
 * Signaling starts the gateway as a child process, passes the first one and
 * hands the service token over IPC (ParentToken: never in the environment);
 * everything else has a default that works on one machine.
 *
 *   BEACON_SIGNALING_URL       signaling base URL                         (required)
 *   BEACON_GATEWAY_TOKEN       service JWT, for a gateway run by hand      (unset: asked of the
 *                                                                           parent over IPC)
 *   BEACON_SIP_REALM           digest realm / SIP domain                    beacon
 *   BEACON_SIP_LISTEN          Kamailio UDP listen (phones)                 0.0.0.0:5060
 *   BEACON_SIP_ADVERTISED_IP   address Kamailio puts in Via/Record-Route     (unset: listen address)
 *   BEACON_SIP_WS_PORT         Kamailio WebSocket for the gateway (loopback)  5066
 *   BEACON_SIP_CONFERENCE_PATTERN conference numbers routed to the gateway   ^6[0-9]{3}$
 *   BEACON_DUTY_NUMBER         the duty desk's number, routed to the gateway  8000
 *                              too (signaling reads the same variable)
 *   BEACON_SIP_RTP_IP          gateway RTP address phones send to            127.0.0.1 when SIP listens on
 *                                                                           loopback, else the first LAN IPv4
 *   BEACON_SIP_RTP_PORT_MIN/MAX  gateway RTP ports: an even port per call and 42000 / 42999
 *                              per tapped room (≈ 500 calls)
 *   BEACON_SIP_RTP_TIMEOUT_MS  no RTP from a phone this long → hang up      30000
 *   BEACON_SIP_MAX_SPEAKERS    loudest speakers mixed for each phone        3
 *   BEACON_SIP_NO_ANSWER_MS    dial-out rings this long before giving up    30000
 *   BEACON_SIP_PIN_TRIES       wrong PINs before hanging up                 3
 *   BEACON_SIP_PIN_CALLER_FAILURES  wrong PINs from one caller (15 min)    5
 *                              that lock it out of every conference
 *   BEACON_SIP_PIN_NUMBER_FAILURES  wrong PINs to one number (15 min,      20
 *                              anyone) that lock the number
 *   BEACON_SIP_PIN_LOCK_SECONDS  first lockout; doubles each time, ≤ 1 h   60
 *   BEACON_SIP_PEERS           addresses of peer conference systems (the    (unset: none)
 *                              upstream MCU, a city below) whose INVITEs to
 *                              a conference number Kamailio takes without
 *                              digest auth (they key the PIN, except the
 *                              upstream conference's own address, signaling's
 *                              BEACON_UPSTREAM_URI host: its call is the
 *                              room's link up, no PIN)
 *   BEACON_SIP_WORK_DIR        Kamailio config, subscriber DB, prompts      <BEACON_DATA_DIR or ./data>/sip
 *   BEACON_KAMAILIO_BIN        Kamailio binary                              kamailio
 *   BEACON_PROMPT_DIR          voice prompts (G.711), made by setup         ~/.cache/beacon/prompts
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const nonEmpty = z.string().trim().min(1);
const hostPort = z.string().regex(/^[0-9a-fA-F.:[\]]+:[0-9]{1,5}$/, 'ip:port');

export const gatewayConfigSchema = z
  .object({
    BEACON_SIGNALING_URL: z.url(),
    BEACON_GATEWAY_TOKEN: nonEmpty.optional(),
    BEACON_DATA_DIR: nonEmpty.default('./data'),
    BEACON_SIP_REALM: nonEmpty.default('beacon'),
    BEACON_SIP_LISTEN: hostPort.default('0.0.0.0:5060'),
    BEACON_SIP_ADVERTISED_IP: nonEmpty.optional(),
    BEACON_SIP_WS_PORT: port.default(5066),
    BEACON_SIP_CONFERENCE_PATTERN: nonEmpty.default('^6[0-9]{3}$'),
    BEACON_DUTY_NUMBER: z
      .string()
      .regex(/^[0-9]{2,16}$/, 'digits only, 2–16 of them')
      .default('8000'),
    BEACON_SIP_RTP_IP: nonEmpty.optional(),
    BEACON_SIP_RTP_PORT_MIN: port.default(42_000),
    BEACON_SIP_RTP_PORT_MAX: port.default(42_999),
    BEACON_SIP_RTP_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
    BEACON_SIP_MAX_SPEAKERS: z.coerce.number().int().min(1).max(10).default(3),
    BEACON_SIP_NO_ANSWER_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
    BEACON_SIP_PIN_TRIES: z.coerce.number().int().min(1).max(10).default(3),
    BEACON_SIP_PIN_CALLER_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    BEACON_SIP_PIN_NUMBER_FAILURES: z.coerce.number().int().min(1).max(1000).default(20),
    BEACON_SIP_PIN_LOCK_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    BEACON_SIP_PEERS: z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry.length > 0),
      )
      .pipe(z.array(z.union([z.ipv4(), z.ipv6()])).max(64))
      .default([]),
    BEACON_SIP_WORK_DIR: nonEmpty.optional(),
    BEACON_KAMAILIO_BIN: nonEmpty.default('kamailio'),
    BEACON_PROMPT_DIR: nonEmpty.default(path.join(os.homedir(), '.cache', 'beacon', 'prompts')),
  })
  .refine((env) => env.BEACON_SIP_RTP_PORT_MIN < env.BEACON_SIP_RTP_PORT_MAX, {
    message: 'BEACON_SIP_RTP_PORT_MIN must be below BEACON_SIP_RTP_PORT_MAX',
    path: ['BEACON_SIP_RTP_PORT_MIN'],
  })
  .transform((env) => {
    const [listenIp, listenPort] = splitHostPort(env.BEACON_SIP_LISTEN);
    return {
      signalingUrl: env.BEACON_SIGNALING_URL,
      token: env.BEACON_GATEWAY_TOKEN ?? null,
      realm: env.BEACON_SIP_REALM,
      sipListen: { ip: listenIp, port: listenPort },
      advertisedIp: env.BEACON_SIP_ADVERTISED_IP ?? null,
      wsPort: env.BEACON_SIP_WS_PORT,
      conferencePattern: env.BEACON_SIP_CONFERENCE_PATTERN,
      dutyNumber: env.BEACON_DUTY_NUMBER,
      rtpIp: env.BEACON_SIP_RTP_IP ?? env.BEACON_SIP_ADVERTISED_IP ?? defaultRtpIp(listenIp),
      rtpPorts: { min: env.BEACON_SIP_RTP_PORT_MIN, max: env.BEACON_SIP_RTP_PORT_MAX },
      rtpTimeoutMs: env.BEACON_SIP_RTP_TIMEOUT_MS,
      maxSpeakers: env.BEACON_SIP_MAX_SPEAKERS,
      noAnswerMs: env.BEACON_SIP_NO_ANSWER_MS,
      pinTries: env.BEACON_SIP_PIN_TRIES,
      pinGuard: {
        callerFailures: env.BEACON_SIP_PIN_CALLER_FAILURES,
        numberFailures: env.BEACON_SIP_PIN_NUMBER_FAILURES,
        lockMs: env.BEACON_SIP_PIN_LOCK_SECONDS * 1000,
      },
      peers: env.BEACON_SIP_PEERS,
      workDir: env.BEACON_SIP_WORK_DIR ?? path.join(env.BEACON_DATA_DIR, 'sip'),
      kamailioBin: env.BEACON_KAMAILIO_BIN,
      promptDir: env.BEACON_PROMPT_DIR,
    };
  });

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

function splitHostPort(value: string): [string, number] {
  const at = value.lastIndexOf(':');
  return [value.slice(0, at).replace(/^\[|\]$/g, ''), Number(value.slice(at + 1))];
}

/** Phones must reach our RTP port: loopback only when SIP itself is on loopback. */
function defaultRtpIp(sipListenIp: string): string {
  if (sipListenIp !== '0.0.0.0' && sipListenIp !== '::') return sipListenIp;
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}

/** Validates the environment; throws one Error listing every bad variable. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const keys = Object.keys(gatewayConfigSchema.in.shape) as string[];
  const raw: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const result = gatewayConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${String(issue.path[0] ?? '(config)')}: ${issue.message}`);
  const error = new Error(`invalid SIP gateway configuration:\n${lines.join('\n')}`);
  error.stack = error.message;
  throw error;
}
