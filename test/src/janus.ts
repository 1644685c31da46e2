/**
 * Janus 1.1 (Debian `janus`) as a peer SFU for benchmarks: `startJanus` runs
 * a private instance — its own config dir in a temp folder, the REST
 * transport on a free 127.0.0.1 port, only the VideoRoom plugin — so it never
 * touches /etc/janus or a Janus the host runs as a service. `JanusSession` is
 * a minimal client of the REST API for synchronous plugin requests.
 *
 * REST API: POST /janus {janus:'create'} → session; POST /janus/<session>
 * {janus:'attach', plugin} → handle; POST /janus/<session>/<handle>
 * {janus:'message', body} → `success` with `plugindata` for synchronous
 * requests (VideoRoom create/destroy, add_remote_publisher, rtp_forward).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { freeTcpPort, freeUdpPort } from './ports.ts';

const JANUS_BIN = '/usr/bin/janus';
const JANUS_LIB = '/usr/lib/x86_64-linux-gnu/janus';
/** Everything Debian ships except what the bench uses (VideoRoom over HTTP). */
const UNUSED_PLUGINS = [
  'audiobridge',
  'duktape',
  'echotest',
  'lua',
  'nosip',
  'recordplay',
  'sip',
  'streaming',
  'textroom',
  'videocall',
  'voicemail',
];
const UNUSED_TRANSPORTS = ['mqtt', 'nanomsg', 'pfunix', 'rabbitmq', 'websockets'];
const READY_TIMEOUT_MS = 10_000;

export interface JanusProcess {
  pid: number;
  /** REST endpoint, `http://127.0.0.1:PORT/janus`. */
  apiUrl: string;
  /** VideoRoom `admin_key`: needed for `create` and (locked) `rtp_forward`. */
  adminKey: string;
  /** What the running binary reports (`/info` version_string), e.g. `1.1.2`. */
  version: string;
  /** The last lines Janus logged, for error messages. */
  logTail(): string;
  stop(): Promise<void>;
}

export async function startJanus(): Promise<JanusProcess> {
  const configDir = await mkdtemp(join(tmpdir(), 'beacon-janus-'));
  const port = await freeTcpPort();
  const adminKey = randomBytes(12).toString('hex');
  await writeConfig(configDir, port, adminKey);
  const child = spawn(JANUS_BIN, ['-F', configDir, '-C', join(configDir, 'janus.jcfg'), '-o'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(...chunk.toString().split('\n').filter(Boolean));
    log.splice(0, Math.max(0, log.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const apiUrl = `http://127.0.0.1:${port}/janus`;
  const janus: JanusProcess = {
    pid: child.pid ?? 0,
    apiUrl,
    adminKey,
    version: '',
    logTail: () => log.join('\n'),
    stop: async () => {
      await stopChild(child);
      await rm(configDir, { recursive: true, force: true });
    },
  };
  try {
    janus.version = await waitUntilServing(apiUrl, child);
  } catch (error) {
    await janus.stop();
    throw new Error(`janus did not start: ${(error as Error).message}\n${janus.logTail()}`);
  }
  return janus;
}

async function writeConfig(dir: string, port: number, adminKey: string): Promise<void> {
  const list = (names: string[]) => names.map((name) => `libjanus_${name}.so`).join(',');
  // session_timeout 0: the bench holds one REST session for minutes without long-polling.
  const core = `general: {
  configs_folder = "${dir}"
  plugins_folder = "${JANUS_LIB}/plugins"
  transports_folder = "${JANUS_LIB}/transports"
  events_folder = "${JANUS_LIB}/events"
  loggers_folder = "${JANUS_LIB}/loggers"
  debug_level = 3
  session_timeout = 0
}
nat: { ice_enforce_list = "lo" }
plugins: { disable = "${list(UNUSED_PLUGINS)}" }
transports: { disable = "${list(UNUSED_TRANSPORTS)}" }
loggers: { disable = "libjanus_jsonlog.so" }
`;
  const http = `general: { json = "plain", base_path = "/janus", http = true, port = ${port}, ip = "127.0.0.1", https = false }
admin: { admin_http = false }
`;
  const videoroom = `general: { admin_key = "${adminKey}", lock_rtp_forward = true }\n`;
  await writeFile(join(dir, 'janus.jcfg'), core);
  await writeFile(join(dir, 'janus.transport.http.jcfg'), http);
  await writeFile(join(dir, 'janus.plugin.videoroom.jcfg'), videoroom);
}

const infoReply = z.object({ version_string: z.string() });

/** Polls the REST `/info` endpoint until Janus answers; returns its version. */
async function waitUntilServing(apiUrl: string, child: ChildProcess): Promise<string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode})`);
    const info = await fetch(`${apiUrl}/info`).catch(() => undefined);
    if (info?.ok) return infoReply.parse(await info.json()).version_string;
    await delay(100);
  }
  throw new Error(`no answer on ${apiUrl} within ${READY_TIMEOUT_MS} ms`);
}

/** SIGINT (Janus shuts down cleanly on it), SIGKILL if still running after 3 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

const idReply = z.object({ janus: z.literal('success'), data: z.object({ id: z.number() }) });
const errorReply = z.object({ janus: z.literal('error'), error: z.object({ code: z.number(), reason: z.string() }) });
const pluginReply = z.object({
  janus: z.literal('success'),
  plugindata: z.object({ plugin: z.string(), data: z.record(z.string(), z.unknown()) }),
});

export class JanusError extends Error {
  constructor(
    readonly code: number | string,
    message: string,
  ) {
    super(message);
    this.name = 'JanusError';
  }
}

/** One REST session with one handle attached to a plugin. */
export class JanusSession {
  private constructor(
    private readonly apiUrl: string,
    private readonly sessionId: number,
    private readonly handleId: number,
  ) {}

  static async attach(apiUrl: string, plugin: string): Promise<JanusSession> {
    const session = idReply.parse(await post(apiUrl, { janus: 'create' })).data.id;
    const handle = idReply.parse(await post(`${apiUrl}/${session}`, { janus: 'attach', plugin })).data.id;
    return new JanusSession(apiUrl, session, handle);
  }

  /**
   * A synchronous plugin request; resolves with the plugin's data, rejects
   * with JanusError on a core error or a plugin `error_code`.
   */
  async request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reply = await post(`${this.apiUrl}/${this.sessionId}/${this.handleId}`, { janus: 'message', body });
    const data = pluginReply.parse(reply).plugindata.data;
    if (typeof data.error_code === 'number') throw new JanusError(data.error_code, String(data.error));
    return data;
  }

  async destroy(): Promise<void> {
    await post(`${this.apiUrl}/${this.sessionId}`, { janus: 'destroy' }).catch(() => undefined);
  }
}

async function post(url: string, message: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...message, transaction: randomUUID() }),
  });
  const reply: unknown = await response.json();
  const error = errorReply.safeParse(reply);
  if (error.success) throw new JanusError(error.data.error.code, error.data.error.reason);
  return reply;
}

/**
 * SSRC that Janus 1.1 maps to a remote publisher's first stream (mindex 0,
 * substream 0). Janus tells a remote publisher's streams apart by SSRC ("a
 * simple math on SSRC identifiers", VideoRoom docs); measured on 1.1.2:
 * 1000 + 10 × mindex + substream (1010 → "Invalid mindex 1", 1001 →
 * "Invalid substream 1"); any other SSRC is dropped.
 */
export const JANUS_REMOTE_VIDEO_SSRC = 1000;
/** Forwarders per `rtp_forward` request (its `streams` array). */
const FORWARD_BATCH = 50;
const REMOTE_PUBLISHER_TIMEOUT_MS = 2_000;
const remotePublisherReply = z.object({ port: z.number() });
const participantList = z.object({ participants: z.array(z.object({ id: z.number() })) });

/**
 * A VideoRoom `room` with one remote publisher (id 1, one VP8 stream, mid
 * '0') that takes plain RTP on the returned 127.0.0.1 port — send it with
 * SSRC JANUS_REMOTE_VIDEO_SSRC. The Streaming plugin cannot stand in: its
 * viewers are WebRTC only, while VideoRoom can `rtp_forward` as plain RTP.
 */
export async function createRemoteVideoPublisher(
  janus: JanusProcess,
  session: JanusSession,
  room: number,
): Promise<{ publisherId: number; port: number }> {
  const publisherId = 1;
  await session.request({ request: 'create', room, admin_key: janus.adminKey, publishers: 1, videocodec: 'vp8' });
  const remote = remotePublisherReply.parse(
    await session.request({
      request: 'add_remote_publisher',
      room,
      id: publisherId,
      iface: '127.0.0.1',
      // A free port of our own: Janus' own pick starts at a fixed 10000, which parallel tests may hold.
      port: await freeUdpPort(),
      streams: [{ type: 'video', mindex: 0, mid: '0', codec: 'vp8' }],
    }),
  );
  // Janus 1.1.2 answers before the publisher is registered (it appears once its receiving thread
  // runs: ~1 in 5 requests came too early here): rtp_forward would fail with "No such feed".
  const deadline = Date.now() + REMOTE_PUBLISHER_TIMEOUT_MS;
  for (;;) {
    const { participants } = participantList.parse(await session.request({ request: 'listparticipants', room }));
    if (participants.some((participant) => participant.id === publisherId)) break;
    if (Date.now() > deadline) throw new JanusError('no_such_feed', `remote publisher of room ${room} never appeared`);
    await delay(20);
  }
  return { publisherId, port: remote.port };
}

/** One plain RTP forwarder of the publisher's video per port, to 127.0.0.1. */
export async function forwardVideo(
  janus: JanusProcess,
  session: JanusSession,
  room: number,
  publisherId: number,
  ports: number[],
): Promise<void> {
  for (let first = 0; first < ports.length; first += FORWARD_BATCH) {
    await session.request({
      request: 'rtp_forward',
      room,
      publisher_id: publisherId,
      admin_key: janus.adminKey,
      host: '127.0.0.1',
      streams: ports.slice(first, first + FORWARD_BATCH).map((port) => ({ mid: '0', port })),
    });
  }
}
