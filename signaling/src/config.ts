/**
 * Configuration, read from the environment and validated once at start.
 * There is no other config path: anything not listed here is not configurable.
 *
 *   BEACON_PORT              HTTPS (or HTTP with BEACON_TLS=off) +      3000
 *                            socket.io port
 *   BEACON_HOST              listen address (an IP address)            0.0.0.0
 *   BEACON_TLS               auto: Beacon's own CA + server certificate auto
 *                            in <dataDir>/tls (created, reused, renewed);
 *                            files: BEACON_TLS_CERT/BEACON_TLS_KEY (an
 *                            admin's certificate; HSTS is sent);
 *                            off: plain HTTP (behind a TLS proxy, tests)
 *   BEACON_TLS_CERT          PEM certificate (chain) for files mode    (unset)
 *   BEACON_TLS_KEY           PEM private key for files mode            (unset)
 *   BEACON_TLS_NAMES         extra DNS names / IPs the auto certificate (unset: host name,
 *                            covers, comma-separated                    localhost, every
 *                                                                       interface address)
 *   BEACON_TLS_CA_PERMIT     domains / networks a NEW CA may certify    (unset: only the
 *                            besides those names (name constraints),    names above)
 *                            e.g. cx.gov,10.20.0.0/16: where the
 *                            server may move without a new CA
 *   BEACON_HTTP_PORT         plain HTTP port that redirects to HTTPS   3080
 *                            and serves the CA + help page; off = none
 *   BEACON_DATA_DIR          SQLite file, generated JWT secret         ./data
 *   BEACON_JWT_SECRET        HS256 secret, at least 32 characters;     (unset)
 *                            unset → generated once and kept in
 *                            <dataDir>/jwt-secret (mode 0600)
 *   BEACON_JWT_TTL_SECONDS   token lifetime                            43200 (12 h)
 *   BEACON_DEMO              seed the Chuxiong demo city (townships,   off
 *                            accounts, phones, rooms) into an empty    (`npm start`
 *                            store: on | off. off: only the admin,     sets on)
 *                            with a one-time password printed once and
 *                            kept in <dataDir>/initial-admin-password
 *   BEACON_DEMO_PASSWORD     password of the seeded demo accounts      beacon2026
 *                            (each must change it at first sign-in)
 *   BEACON_CONSOLE_DIST      built console served as static files      <repo>/console/dist
 *   BEACON_RECONNECT_GRACE_MS how long a dropped participant may resume   30000
 *                            (`reconnecting`) before it counts as left
 *   BEACON_SIP              run the SIP gateway (and Kamailio) as a   on
 *                            child process: on | off
 *   BEACON_SIP_REALM         SIP digest realm of the desk phones       beacon
 *                            (HA1s are stored per realm: changing it
 *                            needs new SIP passwords for every phone)
 *   BEACON_UPSTREAM_URI      the upstream conference (上联: prefecture  (unset: off)
 *                            or province) a room's chair may link up
 *                            to, sip:number@host[:port]; dialled through
 *                            Kamailio like the SIP video dial-out
 *   BEACON_UPSTREAM_PIN      its conference PIN, keyed by DTMF after    (unset: none)
 *                            the answer (digits and *)
 *   BEACON_ESCALATION_TICK_MS how often unacknowledged alerts are        15000
 *                            checked for re-notification (escalation)
 *   BEACON_LOUDSPEAKER_REPEAT readings of tone + warning per village      2
 *                            loudspeaker call (应急广播), 1–10
 *   BEACON_MAP_TILE_URL      optional online XYZ tile layer for the       (unset: offline
 *                            command room map, e.g. Tianditu with a key    basemap only)
 *                            (https://…/{z}/{x}/{y}…)
 *   BEACON_MAP_TILE_ATTRIBUTION credit shown for that layer                (unset)
 *   BEACON_DUTY_SHIFTS       the duty roster's shifts, in the day's     day=白班@08:30-17:30,
 *                            order: key=名称@HH:MM-HH:MM, comma-        night=夜班@17:30-08:30
 *                            separated (an end at or before the start
 *                            is on the next day)
 *   BEACON_DUTY_TIMEZONE     zone of roster days and shift times        Asia/Shanghai
 *   BEACON_DUTY_NUMBER       the duty desk's number: a desk phone       8000
 *                            dialling it rings the officers on duty
 *                            (the SIP gateway routes it too)
 *   BEACON_DUTY_RING_SECONDS unanswered this long → the leader on       30
 *                            duty's phone is called
 *   BEACON_REPORT_DEADLINES  report deadlines per response level,      I=30/120,II=30/120,
 *                            LEVEL=FIRST/EVERY in minutes: the first    III=60/240,
 *                            report after the event, then a follow-up   IV=120/720
 *                            every EVERY until the final report
 *   BEACON_REPORT_MAX_PHOTO_MB largest report photo accepted            10
 *   BEACON_REPORT_TICK_MS    how often overdue reports are looked for   15000
 *   BEACON_CHECKLIST_TICK_MS how often overdue checklist items of       15000
 *                            running responses (应急预案) are looked for
 *   BEACON_OVERDUE_CALL_REPEAT_MINUTES  an overdue report's or          0
 *                            checklist item's desk phone is called once;
 *                            > 0: again this often while it stays overdue
 *   BEACON_MQTT              start mosquitto (Debian) for monitoring    off
 *                            stations publishing over MQTT: on | off
 *   BEACON_MQTT_PORT         mosquitto's plain MQTT port (Beacon's own   1883
 *                            subscriber)
 *   BEACON_MQTT_HOST         the plain port's address; another than      127.0.0.1
 *                            loopback offers plain MQTT (passwords in
 *                            clear) to the network
 *   BEACON_MQTT_TLS_PORT     MQTT over TLS for stations (mqtts://, a     8883
 *                            certificate of Beacon's CA, <dataDir>/tls/
 *                            mqtt.crt) | off
 *   BEACON_MQTT_TLS_HOST     the TLS port's address                      (unset: all)
 *   BEACON_MQTT_CLIENT_CERT  on: a station must also show a client       off
 *                            certificate of Beacon's CA
 *                            (`npm run station-cert`)
 *   BEACON_MQTT_MAX_PACKET_KB largest MQTT packet accepted (KiB)         64
 *   BEACON_STATION_RAW_DAYS  raw station readings kept this many days,   30
 *                            hourly aggregates after
 *   BEACON_STATION_HOURLY_DAYS hourly aggregates kept this many days     1825
 *   BEACON_STATION_TICK_MS   how often silent stations are looked for    15000
 *   BEACON_GB28181           be the GB/T 28181 platform (SIP server)    off
 *                            cameras and NVRs register to: on | off
 *   BEACON_GB28181_PORT      its SIP port (UDP; Kamailio has 5060)      6060
 *   BEACON_GB28181_HOST      its listening address                      0.0.0.0
 *   BEACON_GB28181_ID        the platform's 20-digit ID                 34020000002000000001
 *   BEACON_GB28181_REALM     the SIP domain (realm), its domain code    first 10 digits of the ID
 *   BEACON_GB28181_KEEPALIVE_S keepalive interval the devices use (s)   60
 *   BEACON_GB28181_MEDIA_IP  address devices send video to             127.0.0.1
 *                            (this machine's LAN address in practice)
 *   BEACON_GB28181_MEDIA_TIMEOUT_S a live view without a usable frame   15
 *                            this long is hung up (BYE, reason logged)
 *   BEACON_GB28181_TCP       SIP over TCP too, on the same port as UDP   on
 *                            (devices set to TCP register over it): on | off
 *   BEACON_GB28181_KEYFRAME_S at most one key frame request (IFameCmd)   2
 *                            per camera channel this often (s)
 *   BEACON_MEETING_TICK_MS   how often booked meetings are checked      15000
 *                            (reminders, start, end)
 *   BEACON_MEETING_MAX_MATERIAL_MB largest meeting material accepted    50
 *   BEACON_TURN              start coturn (Debian) for terminals behind off
 *                            NAT/firewalls: on | off
 *   BEACON_TURN_PORT         TURN listening port (UDP and TCP)          3478
 *   BEACON_TURN_TLS_PORT     TURN over TLS (turns:, for terminals that  5349
 *                            may only reach TCP/TLS; Beacon's
 *                            certificate) | off; off while BEACON_TLS=off
 *   BEACON_TURN_SECRET       shared secret for TURN REST credentials   (unset → generated in
 *                            (at least 32 characters)                   <dataDir>/turn-secret)
 *   BEACON_TURN_TTL_SECONDS  lifetime of minted TURN credentials       43200 (= a login)
 *   BEACON_TURN_RELAY_PORTS  coturn relay port range                   49160-49999
 *   BEACON_SMS               text warnings to villages' contacts and    off
 *                            warned units' staff through Kannel
 *                            (Debian's kannel, started by Beacon): on|off
 *   BEACON_SMSC              where Kannel sends (required with          (unset)
 *                            BEACON_SMS=on): smpp://systemid:password@
 *                            host:port[?system-type=…] (an operator's
 *                            SMPP 3.4 account), file:/path (your own
 *                            Kannel `group = smsc` sections), or fake
 *                            (Kannel's fake SMSC on port base + 3, for
 *                            kannel-extras' fakesmsc: tests and demos)
 *   BEACON_SMS_PORT_BASE     Kannel's four loopback ports: admin,       13100
 *                            smsbox, sendsms, fake SMSC
 *   BEACON_SMS_SENDER        the SMS account's sender number (106…,   (required with
 *                            a short code); Kannel refuses texts        BEACON_SMS=on)
 *                            without one
 *   BEACON_SMS_SIGNATURE     the 【signature】 texts start with          应急预警
 *   BEACON_SMS_MAX_PARTS     SMS parts a text may take (the             5
 *                            description is shortened to fit; 67
 *                            characters per part)
 *   BEACON_SMS_RETRIES       retries of a refused/undelivered text      2
 *   BEACON_SMS_MAX_NOTIFY    texts per recipient and warning: the first 3
 *                            and escalations until the reply 1 / 收到
 *   BEACON_SMS_RATE_PER_NUMBER texts per number as perHour:burst        20:5
 *                            (over it a text waits, never dropped)
 *   DATABASE_URL             PostgreSQL store (postgres://…) instead    (unset: SQLite in
 *                            of the embedded SQLite file                 <dataDir>)
 *   MEDIA_NODES              separate media nodes (cascade): their      (unset: in-process
 *                            control URLs, comma-separated               media server)
 *                            (http://host:port of media-server/src/node),
 *                            or `discover`: the nodes that register
 *                            themselves in Redis (needs REDIS_URL)
 *   MEDIA_NODE_KEY           the media nodes' pre-shared key (≥32)     (required with
 *                                                                       MEDIA_NODES)
 *   MEDIA_NODE_ALLOW         hosts / networks a discovered media node's  127.0.0.0/8,::1,
 *                            control URL may point to (its Redis entry   localhost
 *                            must also be signed with MEDIA_NODE_KEY),
 *                            e.g. 10.20.0.0/16
 *   MEDIA_PIPE_SRTP          SRTP on pipes between media nodes: on|off off (trusted backbone)
 *   BEACON_REGIONS           township → media region for placement,   (unset: by load only)
 *                            e.g. lucheng=city,donggua=county
 *   REDIS_URL                cluster mode: several signaling nodes     (unset: one node)
 *                            share rooms and events through Redis
 *                            (redis://…); they also need one store
 *                            (DATABASE_URL) and one BEACON_JWT_SECRET
 *   BEACON_NODE_ID           this node's name in the cluster           (unset: host name +
 *                                                                       random suffix)
 *   BEACON_CLUSTER_SECRET    key sealing node-to-node messages (HMAC), (unset: derived from
 *                            the same on every node (≥32 characters)    the JWT secret, HKDF)
 *   BEACON_METRICS_TOKEN     scrape token: /metrics answers a request    (unset: loopback
 *                            with `Authorization: Bearer <token>`       clients only)
 *                            from anywhere (at least 32 characters)
 *   BEACON_METRICS_LOOPBACK  serve /metrics to this machine without a     on
 *                            token: on | off (off when a reverse proxy
 *                            on this host forwards outside requests
 *                            without X-Forwarded-For)
 *   BEACON_SIGNIN_LOCK_AFTER failed sign-ins of one account before     15
 *                            it is locked (after 5: back-off 1 s, 2 s…)
 *   BEACON_SIGNIN_LOCK_SECONDS how long such a lock lasts               900
 *   BEACON_RATE_MEDIA        client events per socket, per class, as   100:300
 *                            perSecond:burst (a token bucket), or off:
 *                            media = transports, producers, consumers
 *   BEACON_RATE_CONTROL      joins, chair actions, speak requests…     20:60
 *   BEACON_RATE_COMMAND      alert/task acks, video pulls, duty calls  10:50
 *   BEACON_RATE_CHAT         chat messages                             1:5
 *                            (over the rate: `rate_limited` with
 *                            retryAfterMs)
 *   BEACON_RATE_USER_FACTOR  a user's sockets on one node share         2
 *                            buckets this many times a socket's
 *   BEACON_SOCKET_QUEUE_MAX  events one socket may have waiting; one    100
 *                            more disconnects it (`session:closed`)
 *   BEACON_SOCKET_OUTBOX_MAX emits waiting to be read by one socket;    5000
 *                            one more disconnects it
 *   BEACON_CHAT_MAX_PER_MEETING chat messages one meeting keeps;        5000
 *                            beyond: refused
 *   LOG_LEVEL                pino level (trace…fatal, silent)          info
 *   MEDIA_WORKERS            mediasoup workers                         os.availableParallelism()
 *   MEDIA_LISTEN_IP          RTC listen address (an IP address)        0.0.0.0
 *   MEDIA_ANNOUNCED_ADDRESS  address (IP or DNS name) announced in ICE  (unset: the listen IP,
 *                            candidates                                  or when that is a
 *                                                                       wildcard the first
 *                                                                       non-loopback IPv4)
 *   MEDIA_RTC_PORT_BASE      first RTC port (one port per worker)      40000
 *   MEDIA_LOG_LEVEL          mediasoup worker log level                warn
 *   BEACON_SIP_TAP_ALLOW     addresses / CIDR networks a room's audio  (unset: loopback and
 *                            may be sent to as plain RTP (SIP gateway   this machine's own
 *                            taps): the gateway's RTP addresses; a tap  addresses, where the
 *                            elsewhere is refused and audited           gateway Beacon runs is)
 *   BEACON_SIP_RTP_PORT_MIN/MAX  the SIP gateway's RTP ports (the gateway  42000 / 42999
 *                            reads the same variables): a tap is sent
 *                            only to a port inside them
 *   BEACON_REDIS_CA          CA certificate (PEM file) of a rediss://  (unset: the system's
 *                            REDIS_URL whose certificate a private CA   CAs)
 *                            issued (TLS to Redis)
 *
 * MEDIA_NODES off this machine are https:// URLs: mutual TLS under Beacon's
 * CA (<dataDir>/tls; `npm run media-node-cert` issues a node's certificate),
 * and plain http:// is refused for anything but loopback (media-nodes/
 * controlTls.ts, `media_node_tls_required` at start).
 */
import { isIP } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { upstreamPinSchema, upstreamUriSchema } from '@beacon/protocol';
import { z } from 'zod';
import { DEFAULT_DUTY_SHIFTS } from './duty/DutyOptions.ts';
import { dutyShiftsEnvSchema, timeZoneSchema } from './duty/dutyConfig.ts';
import { DEFAULT_LIMITS, type RateSpec } from './limits/LimitsOptions.ts';
import { parseSubtree, type Subtree } from './net/nameSubtrees.ts';
import { DEFAULT_REPORT_DEADLINES } from './reports/ReportOptions.ts';
import { reportDeadlinesEnvSchema } from './reports/reportConfig.ts';
import type { SmscSpec } from './sms/kannel/KannelConfig.ts';
import { parseSmsc } from './sms/kannel/smscSpec.ts';
import { DEFAULT_SMS_ALERTS_OPTIONS } from './sms/SmsAlertsOptions.ts';

const defaultConsoleDist = fileURLToPath(new URL('../../console/dist', import.meta.url));

const port = z.coerce.number().int().min(0).max(65535);
const ipAddress = z
  .string()
  .trim()
  .refine((value) => isIP(value) !== 0, 'an IPv4 or IPv6 address');
/** An IP address or a DNS name (RFC 1123 labels). */
const hostOrIp = z
  .string()
  .trim()
  .refine(
    (value) =>
      isIP(value) !== 0 ||
      /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(
        value,
      ),
    'an IP address or a DNS name',
  );
const nonEmpty = z.string().trim().min(1);
/** `perSecond:burst` (e.g. 20:60) or `off`; off → null (not rated). */
const rateSpec = z.union([
  z.literal('off').transform(() => null),
  z
    .string()
    .regex(/^\d{1,6}(\.\d{1,3})?:\d{1,7}$/, 'perSecond:burst (e.g. 20:60) or off')
    .transform((value): RateSpec => {
      const [perSecond, burst] = value.split(':').map(Number) as [number, number];
      return { perSecond, burst };
    })
    .refine((spec) => spec.perSecond > 0 && spec.burst >= 1, 'a rate above 0 and a burst of at least 1'),
]);

/** A comma-separated list (blanks dropped), each entry checked by `item`, between `min` and `max` of them. */
const commaList = (item: z.ZodType<string, string>, { min = 0, max }: { min?: number; max: number }) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    )
    .pipe(z.array(item).min(min).max(max));

/** A domain, an address or a CIDR network (net/nameSubtrees.ts). */
const subtree = (message: string) => z.string().refine((entry) => parseSubtree(entry) !== null, message);

/** Schema over the raw environment; the output is the `Config` shape. */
export const configSchema = z
  .object({
    BEACON_PORT: port.default(3000),
    BEACON_HOST: ipAddress.default('0.0.0.0'),
    BEACON_TLS: z.enum(['auto', 'files', 'off']).default('auto'),
    BEACON_TLS_CERT: nonEmpty.optional(),
    BEACON_TLS_KEY: nonEmpty.optional(),
    BEACON_TLS_NAMES: commaList(hostOrIp, { max: 50 }).default([]),
    BEACON_TLS_CA_PERMIT: commaList(subtree('a domain, an address or a CIDR network'), { max: 50 }).default([]),
    BEACON_HTTP_PORT: z.union([z.literal('off'), port]).default(3080),
    BEACON_DATA_DIR: nonEmpty.default('./data'),
    BEACON_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    BEACON_JWT_TTL_SECONDS: z.coerce.number().int().positive().default(43_200),
    // Off unless asked for: a production start (start:prod, systemd) must not open a published password.
    BEACON_DEMO: z.enum(['on', 'off']).default('off'),
    BEACON_DEMO_PASSWORD: nonEmpty.default('beacon2026'),
    BEACON_CONSOLE_DIST: nonEmpty.default(defaultConsoleDist),
    BEACON_RECONNECT_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
    BEACON_SIP: z.enum(['on', 'off']).default('on'),
    BEACON_ESCALATION_TICK_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
    BEACON_LOUDSPEAKER_REPEAT: z.coerce.number().int().min(1).max(10).default(2),
    BEACON_DUTY_SHIFTS: dutyShiftsEnvSchema.optional(),
    BEACON_DUTY_TIMEZONE: timeZoneSchema.default('Asia/Shanghai'),
    BEACON_DUTY_NUMBER: z
      .string()
      .regex(/^[0-9]{2,16}$/, 'digits only, 2–16 of them')
      .default('8000'),
    BEACON_DUTY_RING_SECONDS: z.coerce.number().int().min(3).max(600).default(30),
    BEACON_REPORT_DEADLINES: reportDeadlinesEnvSchema.optional(),
    BEACON_REPORT_MAX_PHOTO_MB: z.coerce.number().min(0.1).max(100).default(10),
    BEACON_REPORT_TICK_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
    BEACON_CHECKLIST_TICK_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
    BEACON_OVERDUE_CALL_REPEAT_MINUTES: z.coerce.number().min(0).max(1440).default(0),
    BEACON_MQTT: z.enum(['on', 'off']).default('off'),
    BEACON_MQTT_PORT: z.coerce.number().int().min(1).max(65_535).default(1883),
    BEACON_MQTT_HOST: ipAddress.default('127.0.0.1'),
    BEACON_MQTT_TLS_PORT: z
      .union([z.literal('off'), port.refine((value) => value > 0, 'a fixed port (not 0)')])
      .default(8883),
    BEACON_MQTT_TLS_HOST: ipAddress.optional(),
    BEACON_MQTT_CLIENT_CERT: z.enum(['on', 'off']).default('off'),
    BEACON_MQTT_MAX_PACKET_KB: z.coerce.number().int().min(1).max(10_240).default(64),
    BEACON_STATION_RAW_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    BEACON_STATION_HOURLY_DAYS: z.coerce.number().int().min(1).max(36_500).default(1825),
    BEACON_STATION_TICK_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
    BEACON_GB28181: z.enum(['on', 'off']).default('off'),
    BEACON_GB28181_PORT: z.coerce.number().int().min(0).max(65_535).default(6060),
    BEACON_GB28181_HOST: z.string().trim().min(1).default('0.0.0.0'),
    BEACON_GB28181_ID: z
      .string()
      .regex(/^\d{20}$/, '20 digits')
      .default('34020000002000000001'),
    BEACON_GB28181_REALM: z
      .string()
      .regex(/^\d{10}$/, '10 digits')
      .optional(),
    BEACON_GB28181_KEEPALIVE_S: z.coerce.number().min(0.2).max(3600).default(60),
    BEACON_GB28181_MEDIA_IP: z.string().trim().min(1).default('127.0.0.1'),
    BEACON_GB28181_MEDIA_TIMEOUT_S: z.coerce.number().min(1).max(600).default(15),
    BEACON_GB28181_TCP: z.enum(['on', 'off']).default('on'),
    BEACON_GB28181_KEYFRAME_S: z.coerce.number().min(0.1).max(3600).default(2),
    BEACON_MEETING_TICK_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
    BEACON_MEETING_MAX_MATERIAL_MB: z.coerce.number().min(0.1).max(500).default(50),
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
    BEACON_UPSTREAM_URI: upstreamUriSchema.optional(),
    BEACON_UPSTREAM_PIN: upstreamPinSchema.optional(),
    BEACON_TURN: z.enum(['on', 'off']).default('off'),
    BEACON_TURN_PORT: port.refine((value) => value > 0, 'a fixed port (not 0)').default(3478),
    BEACON_TURN_TLS_PORT: z
      .union([z.literal('off'), port.refine((value) => value > 0, 'a fixed port (not 0)')])
      .default(5349),
    BEACON_TURN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    BEACON_TURN_TTL_SECONDS: z.coerce.number().int().min(10).max(604_800).default(43_200),
    BEACON_TURN_RELAY_PORTS: z
      .string()
      .regex(/^\d{4,5}-\d{4,5}$/, 'a port range like 49160-49999')
      .transform((value) => value.split('-').map(Number) as [number, number])
      .refine(([min, max]) => min >= 1024 && max <= 65535 && min < max, 'from ≥1024 to ≤65535, first < last')
      .default([49160, 49999]),
    BEACON_SMS: z.enum(['on', 'off']).default('off'),
    BEACON_SMSC: z
      .string()
      .trim()
      .transform((value, ctx): SmscSpec => {
        const spec = parseSmsc(value);
        if (spec) return spec;
        ctx.addIssue({ code: 'custom', message: 'fake, file:/absolute/path or smpp://systemid:password@host:port' });
        return z.NEVER;
      })
      .optional(),
    BEACON_SMS_PORT_BASE: z.coerce.number().int().min(1024).max(65_532).default(13_100),
    BEACON_SMS_SENDER: z
      .string()
      .regex(/^\+?[0-9]{3,20}$/, 'digits (a number or short code)')
      .optional(),
    BEACON_SMS_SIGNATURE: z
      .string()
      .trim()
      .min(2)
      .max(12)
      .regex(/^[^【】"\r\n]+$/, 'without 【】 or quotes')
      .default(DEFAULT_SMS_ALERTS_OPTIONS.signature),
    BEACON_SMS_MAX_PARTS: z.coerce.number().int().min(1).max(10).default(DEFAULT_SMS_ALERTS_OPTIONS.maxParts),
    BEACON_SMS_RETRIES: z.coerce.number().int().min(0).max(10).default(DEFAULT_SMS_ALERTS_OPTIONS.retries),
    BEACON_SMS_MAX_NOTIFY: z.coerce.number().int().min(1).max(20).default(DEFAULT_SMS_ALERTS_OPTIONS.maxNotify),
    BEACON_SMS_RATE_PER_NUMBER: z
      .string()
      .regex(/^\d{1,4}:\d{1,3}$/, 'perHour:burst (e.g. 20:5)')
      .transform((value) => {
        const [perHour, burst] = value.split(':').map(Number) as [number, number];
        return { perHour, burst };
      })
      .refine((rate) => rate.perHour > 0 && rate.burst >= 1, 'a rate above 0 and a burst of at least 1')
      .optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres:// URL')
      .optional(),
    MEDIA_NODES: z
      .union([
        z.literal('discover'),
        commaList(z.string().regex(/^https?:\/\/\S+$/, 'http(s) URLs or "discover"'), { min: 1, max: 64 }),
      ])
      .optional(),
    MEDIA_NODE_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    MEDIA_NODE_ALLOW: commaList(subtree('a host name, an address or a CIDR network'), { max: 64 }).default([
      '127.0.0.0/8',
      '::1/128',
      'localhost',
    ]),
    MEDIA_PIPE_SRTP: z.enum(['on', 'off']).default('off'),
    BEACON_REGIONS: z
      .string()
      .regex(
        /^\s*[a-z0-9_-]+=[A-Za-z0-9._-]+(\s*,\s*[a-z0-9_-]+=[A-Za-z0-9._-]+)*\s*$/,
        'township=region pairs, comma-separated',
      )
      .transform((value) =>
        Object.fromEntries(value.split(',').map((pair) => pair.trim().split('=') as [string, string])),
      )
      .optional(),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'a redis:// URL')
      .optional(),
    BEACON_NODE_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dots, dashes, underscores')
      .optional(),
    BEACON_CLUSTER_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    BEACON_METRICS_TOKEN: z
      .string()
      .min(32, 'must be at least 32 characters')
      .regex(/^\S+$/, 'no spaces (it is sent as a bearer token)')
      .optional(),
    BEACON_METRICS_LOOPBACK: z.enum(['on', 'off']).default('on'),
    BEACON_SIGNIN_LOCK_AFTER: z.coerce.number().int().min(6).max(1000).default(15),
    BEACON_SIGNIN_LOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    BEACON_RATE_MEDIA: rateSpec.default(DEFAULT_LIMITS.rates.media),
    BEACON_RATE_CONTROL: rateSpec.default(DEFAULT_LIMITS.rates.control),
    BEACON_RATE_COMMAND: rateSpec.default(DEFAULT_LIMITS.rates.command),
    BEACON_RATE_CHAT: rateSpec.default(DEFAULT_LIMITS.rates.chat),
    BEACON_RATE_USER_FACTOR: z.coerce.number().min(1).max(100).default(DEFAULT_LIMITS.userFactor),
    BEACON_SOCKET_QUEUE_MAX: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_LIMITS.queueMax),
    BEACON_SOCKET_OUTBOX_MAX: z.coerce.number().int().min(10).max(1_000_000).default(DEFAULT_LIMITS.outboxMax),
    BEACON_CHAT_MAX_PER_MEETING: z.coerce.number().int().min(1).max(10_000_000).default(DEFAULT_LIMITS.chatPerMeeting),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).default(os.availableParallelism()),
    MEDIA_LISTEN_IP: ipAddress.default('0.0.0.0'),
    MEDIA_ANNOUNCED_ADDRESS: hostOrIp.optional(),
    MEDIA_RTC_PORT_BASE: z.coerce.number().int().min(1024).max(65000).default(40_000),
    MEDIA_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
    BEACON_SIP_TAP_ALLOW: commaList(
      z.string().refine((entry) => parseSubtree(entry)?.kind === 'IP', 'an IP address or a CIDR network'),
      { min: 1, max: 64 },
    ).optional(),
    BEACON_SIP_RTP_PORT_MIN: z.coerce.number().int().min(1).max(65535).default(42_000),
    BEACON_SIP_RTP_PORT_MAX: z.coerce.number().int().min(1).max(65535).default(42_999),
    BEACON_REDIS_CA: nonEmpty.optional(),
  })
  .superRefine((env, ctx) => {
    if (env.BEACON_SIP_RTP_PORT_MIN >= env.BEACON_SIP_RTP_PORT_MAX) {
      ctx.addIssue({
        code: 'custom',
        path: ['BEACON_SIP_RTP_PORT_MIN'],
        message: 'BEACON_SIP_RTP_PORT_MIN must be below BEACON_SIP_RTP_PORT_MAX',
      });
    }
    if (env.MEDIA_NODES !== undefined && env.MEDIA_NODE_KEY === undefined) {
      ctx.addIssue({ code: 'custom', path: ['MEDIA_NODE_KEY'], message: 'required with MEDIA_NODES' });
    }
    if (env.MEDIA_NODES === 'discover' && env.REDIS_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['MEDIA_NODES'],
        message: 'discover needs REDIS_URL (the directory is in Redis)',
      });
    }
    if (env.BEACON_MQTT_TLS_PORT === env.BEACON_MQTT_PORT) {
      ctx.addIssue({ code: 'custom', path: ['BEACON_MQTT_TLS_PORT'], message: 'must differ from BEACON_MQTT_PORT' });
    }
    if (env.BEACON_TURN_TLS_PORT === env.BEACON_TURN_PORT) {
      ctx.addIssue({ code: 'custom', path: ['BEACON_TURN_TLS_PORT'], message: 'must differ from BEACON_TURN_PORT' });
    }
    if (env.BEACON_SMS === 'on') {
      // Kannel refuses a text without a sender ("Sender missing and no global set"): the account's number is needed.
      for (const key of ['BEACON_SMSC', 'BEACON_SMS_SENDER'] as const) {
        if (env[key] === undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: 'required when BEACON_SMS=on' });
      }
    }
    if (env.BEACON_UPSTREAM_PIN !== undefined && env.BEACON_UPSTREAM_URI === undefined) {
      ctx.addIssue({ code: 'custom', path: ['BEACON_UPSTREAM_PIN'], message: 'needs BEACON_UPSTREAM_URI' });
    }
    if (env.BEACON_REDIS_CA !== undefined && !env.REDIS_URL?.startsWith('rediss://')) {
      ctx.addIssue({ code: 'custom', path: ['BEACON_REDIS_CA'], message: 'needs a rediss:// REDIS_URL (TLS)' });
    }
    if (env.BEACON_TLS !== 'files') return;
    for (const key of ['BEACON_TLS_CERT', 'BEACON_TLS_KEY'] as const) {
      if (env[key] === undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: 'required when BEACON_TLS=files' });
    }
  })
  .transform((env) => ({
    port: env.BEACON_PORT,
    host: env.BEACON_HOST,
    dataDir: env.BEACON_DATA_DIR,
    ...(env.BEACON_JWT_SECRET === undefined ? {} : { jwtSecret: env.BEACON_JWT_SECRET }),
    jwtTtlSeconds: env.BEACON_JWT_TTL_SECONDS,
    tls: {
      mode: env.BEACON_TLS,
      certFile: env.BEACON_TLS_CERT ?? null,
      keyFile: env.BEACON_TLS_KEY ?? null,
      extraNames: env.BEACON_TLS_NAMES,
      caPermitted: env.BEACON_TLS_CA_PERMIT,
    },
    /** Plain HTTP redirect/help port; null when off or when TLS is off (the main port is HTTP then). */
    httpPort: env.BEACON_TLS === 'off' || env.BEACON_HTTP_PORT === 'off' ? null : env.BEACON_HTTP_PORT,
    turn: {
      enabled: env.BEACON_TURN === 'on',
      port: env.BEACON_TURN_PORT,
      /** TURN over TLS with Beacon's certificate; null when off or when Beacon itself has no TLS. */
      tlsPort: env.BEACON_TLS === 'off' || env.BEACON_TURN_TLS_PORT === 'off' ? null : env.BEACON_TURN_TLS_PORT,
      secret: env.BEACON_TURN_SECRET ?? null,
      ttlSeconds: env.BEACON_TURN_TTL_SECONDS,
      relayPorts: { min: env.BEACON_TURN_RELAY_PORTS[0], max: env.BEACON_TURN_RELAY_PORTS[1] },
    },
    databaseUrl: env.DATABASE_URL ?? null,
    /** Warnings by SMS through Kannel (sms/SmsService.ts); null when off. */
    sms:
      env.BEACON_SMS === 'on' && env.BEACON_SMSC !== undefined
        ? {
            smsc: env.BEACON_SMSC,
            portBase: env.BEACON_SMS_PORT_BASE,
            sender: env.BEACON_SMS_SENDER ?? null,
            signature: env.BEACON_SMS_SIGNATURE,
            maxParts: env.BEACON_SMS_MAX_PARTS,
            retries: env.BEACON_SMS_RETRIES,
            retryDelayMs: DEFAULT_SMS_ALERTS_OPTIONS.retryDelayMs,
            maxNotify: env.BEACON_SMS_MAX_NOTIFY,
            perNumber: env.BEACON_SMS_RATE_PER_NUMBER ?? DEFAULT_SMS_ALERTS_OPTIONS.perNumber,
          }
        : null,
    mediaNodes:
      env.MEDIA_NODES === undefined
        ? null
        : {
            urls: env.MEDIA_NODES === 'discover' ? [] : env.MEDIA_NODES,
            discover: env.MEDIA_NODES === 'discover',
            key: env.MEDIA_NODE_KEY ?? '',
            /** Where discovered nodes may be (RedisNodeDirectory); listed URLs are trusted as configured. */
            allow: env.MEDIA_NODE_ALLOW.map((entry) => parseSubtree(entry) as Subtree),
            pipeSrtp: env.MEDIA_PIPE_SRTP === 'on',
            regions: (env.BEACON_REGIONS ?? {}) as Record<string, string>,
          },
    cluster:
      env.REDIS_URL === undefined
        ? null
        : {
            redisUrl: env.REDIS_URL,
            nodeId: env.BEACON_NODE_ID ?? null,
            /** Seals node-to-node messages; null: derived from the JWT secret (cluster/ClusterSeal.ts). */
            secret: env.BEACON_CLUSTER_SECRET ?? null,
          },
    /** Seed the demo city into an empty store; false: only the admin (auth/initialAdmin.ts). */
    demo: env.BEACON_DEMO === 'on',
    demoPassword: env.BEACON_DEMO_PASSWORD,
    consoleDist: env.BEACON_CONSOLE_DIST,
    reconnectGraceMs: env.BEACON_RECONNECT_GRACE_MS,
    sip: env.BEACON_SIP === 'on',
    sipRealm: env.BEACON_SIP_REALM,
    /** The upstream conference rooms link up to (sip/upstream/); null: off. */
    upstream:
      env.BEACON_UPSTREAM_URI === undefined
        ? null
        : { uri: env.BEACON_UPSTREAM_URI, pin: env.BEACON_UPSTREAM_PIN ?? null },
    escalationTickMs: env.BEACON_ESCALATION_TICK_MS,
    /** Village loudspeakers (loudspeakers/LoudspeakerAlerts.ts). */
    loudspeakers: { repeat: env.BEACON_LOUDSPEAKER_REPEAT },
    /** The duty roster's shifts and time zone (duty/DutyOptions.ts). */
    duty: { shifts: env.BEACON_DUTY_SHIFTS ?? DEFAULT_DUTY_SHIFTS, timeZone: env.BEACON_DUTY_TIMEZONE },
    /** The duty number (duty/DutyCalls.ts). */
    dutyCalls: { number: env.BEACON_DUTY_NUMBER, ringMs: env.BEACON_DUTY_RING_SECONDS * 1000 },
    /** Information reporting (reports/ReportOptions.ts). */
    reports: {
      deadlines: env.BEACON_REPORT_DEADLINES ?? DEFAULT_REPORT_DEADLINES,
      maxPhotoBytes: Math.round(env.BEACON_REPORT_MAX_PHOTO_MB * 1024 * 1024),
      tickMs: env.BEACON_REPORT_TICK_MS,
    },
    /** How often overdue checklist items are looked for (plans/ChecklistWatch.ts). */
    checklistTickMs: env.BEACON_CHECKLIST_TICK_MS,
    /** Repeat of overdue reminders' desk-phone calls, 0: once (reports/OverdueCalls.ts). */
    overdueCallRepeatMs: Math.round(env.BEACON_OVERDUE_CALL_REPEAT_MINUTES * 60_000),
    /** Monitoring stations (stations/StationOptions.ts); the data dir is added where they start. */
    stations: {
      rawDays: env.BEACON_STATION_RAW_DAYS,
      hourlyDays: env.BEACON_STATION_HOURLY_DAYS,
      tickMs: env.BEACON_STATION_TICK_MS,
      mqtt:
        env.BEACON_MQTT === 'on'
          ? {
              port: env.BEACON_MQTT_PORT,
              host: env.BEACON_MQTT_HOST,
              maxPacketBytes: env.BEACON_MQTT_MAX_PACKET_KB * 1024,
              tls:
                env.BEACON_MQTT_TLS_PORT === 'off'
                  ? null
                  : {
                      port: env.BEACON_MQTT_TLS_PORT,
                      host: env.BEACON_MQTT_TLS_HOST ?? null,
                      requireClientCert: env.BEACON_MQTT_CLIENT_CERT === 'on',
                      caPermitted: env.BEACON_TLS_CA_PERMIT,
                    },
            }
          : null,
    },
    /** GB/T 28181 platform (gb28181/GbService.ts); null when off. */
    gb28181:
      env.BEACON_GB28181 === 'on'
        ? {
            host: env.BEACON_GB28181_HOST,
            port: env.BEACON_GB28181_PORT,
            serverId: env.BEACON_GB28181_ID,
            realm: env.BEACON_GB28181_REALM ?? env.BEACON_GB28181_ID.slice(0, 10),
            keepaliveMs: Math.round(env.BEACON_GB28181_KEEPALIVE_S * 1000),
            missedKeepalives: 3,
            mediaIp: env.BEACON_GB28181_MEDIA_IP,
            mediaTimeoutMs: Math.round(env.BEACON_GB28181_MEDIA_TIMEOUT_S * 1000),
            tcp: env.BEACON_GB28181_TCP === 'on',
            keyFrameIntervalMs: Math.round(env.BEACON_GB28181_KEYFRAME_S * 1000),
          }
        : null,
    /** Meetings on a schedule (meetings/MeetingOptions.ts). */
    meetings: {
      tickMs: env.BEACON_MEETING_TICK_MS,
      maxMaterialBytes: Math.round(env.BEACON_MEETING_MAX_MATERIAL_MB * 1024 * 1024),
    },
    map: { tileUrl: env.BEACON_MAP_TILE_URL ?? null, tileAttribution: env.BEACON_MAP_TILE_ATTRIBUTION ?? null },
    /** Who may read /metrics (metricsAccess.ts). */
    metrics: { token: env.BEACON_METRICS_TOKEN ?? null, trustLoopback: env.BEACON_METRICS_LOOPBACK === 'on' },
    /** Failed sign-in throttling (auth/throttle). */
    signIn: { lockAfter: env.BEACON_SIGNIN_LOCK_AFTER, lockMs: env.BEACON_SIGNIN_LOCK_SECONDS * 1000 },
    /** What one client may cost the node (limits/LimitsOptions.ts). */
    limits: {
      rates: {
        media: env.BEACON_RATE_MEDIA,
        control: env.BEACON_RATE_CONTROL,
        command: env.BEACON_RATE_COMMAND,
        chat: env.BEACON_RATE_CHAT,
      },
      userFactor: env.BEACON_RATE_USER_FACTOR,
      queueMax: env.BEACON_SOCKET_QUEUE_MAX,
      outboxMax: env.BEACON_SOCKET_OUTBOX_MAX,
      chatPerMeeting: env.BEACON_CHAT_MAX_PER_MEETING,
    },
    logLevel: env.LOG_LEVEL,
    media: {
      numWorkers: env.MEDIA_WORKERS,
      listenIp: env.MEDIA_LISTEN_IP,
      ...(env.MEDIA_ANNOUNCED_ADDRESS === undefined ? {} : { announcedAddress: env.MEDIA_ANNOUNCED_ADDRESS }),
      rtcPortBase: env.MEDIA_RTC_PORT_BASE,
      workerLogLevel: env.MEDIA_LOG_LEVEL,
    },
    /** Where plain RTP out of rooms may go (sip/tapTargets.ts); null: loopback and this machine's addresses. */
    sipTapAllow: env.BEACON_SIP_TAP_ALLOW ?? null,
    /** The SIP gateway's RTP ports: where taps (and a phone producer's remote) may go. */
    sipRtpPorts: { min: env.BEACON_SIP_RTP_PORT_MIN, max: env.BEACON_SIP_RTP_PORT_MAX },
    /** CA file for a rediss:// REDIS_URL (cluster/ClusterNode.ts); null: the system's CAs. */
    redisCaFile: env.BEACON_REDIS_CA ?? null,
  }));

export type Config = z.infer<typeof configSchema>;

/** Never echoed in error messages: they are (or contain) secrets. */
const SECRET_KEYS = new Set([
  'BEACON_JWT_SECRET',
  'BEACON_TURN_SECRET',
  'BEACON_METRICS_TOKEN',
  'DATABASE_URL',
  'REDIS_URL',
  'MEDIA_NODE_KEY',
  'BEACON_CLUSTER_SECRET',
  'BEACON_SMSC',
]);

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
    const got = SECRET_KEYS.has(name) ? '' : ` (got ${JSON.stringify(raw[name])})`;
    return `  ${name}: ${issue.message}${got}`;
  });
  const error = new Error(`invalid configuration:\n${lines.join('\n')}`);
  error.stack = error.message;
  throw error;
}
