/**
 * Helpers for cross-service tests: a real Beacon node on a temp data dir and
 * port 0, real socket.io clients, plain fetch for REST.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {
  Ack,
  ClientEventName,
  ClientEventResults,
  ClientToServerEvents,
  ServerToClientEvents,
} from '@beacon/protocol';
import { type BeaconNode, type Config, loadConfig, startBeacon } from '@beacon/signaling';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll } from 'vitest';
import { freePortBlock } from '../src/ports.ts';

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestNode {
  node: BeaconNode;
  config: Config;
  dataDir: string;
  /** Stops the node; `keepData` leaves the data dir for a restart. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'beacon-it-'));
}

/** A config like production's, confined to loopback, a temp dir and one media worker. */
export async function testConfig(dataDir: string, env: Record<string, string> = {}): Promise<Config> {
  return loadConfig({
    BEACON_PORT: '0',
    BEACON_HOST: '127.0.0.1',
    // Plain HTTP: these tests exercise the API, not TLS (test/integration/https.test.ts does).
    BEACON_TLS: 'off',
    BEACON_DATA_DIR: dataDir,
    BEACON_CONSOLE_DIST: path.join(dataDir, 'no-console-here'),
    MEDIA_WORKERS: '1',
    MEDIA_LISTEN_IP: '127.0.0.1',
    MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
    // Test files run in parallel, each with its own worker and RTC port.
    MEDIA_RTC_PORT_BASE: String(await freePortBlock()),
    // The demo city the tests sign in to (startTestNode: on DEMO_PASSWORD, nothing to change first).
    BEACON_DEMO: 'on',
    ...env,
  });
}

export async function startTestNode(opts: { dataDir?: string; env?: Record<string, string> } = {}): Promise<TestNode> {
  const dataDir = opts.dataDir ?? (await makeDataDir());
  const config = await testConfig(dataDir, opts.env);
  // Tests sign in as demo accounts with the demo password and go on (first-start.test.ts checks the real start).
  const node = await startBeacon({ config, demoPasswordChosen: true });
  return {
    node,
    config,
    dataDir,
    async stop({ keepData = false } = {}) {
      await node.close();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One node for the whole test file (started in beforeAll, stopped in
 * afterAll with every client it handed out).
 */
export function useTestNode(opts: { env?: Record<string, string> } = {}) {
  let beacon: TestNode | undefined;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    beacon = await startTestNode(opts);
  });
  afterAll(async () => {
    for (const socket of clients) socket.close();
    await beacon?.stop();
  });
  const started = (): TestNode => {
    if (!beacon) throw new Error('the test node is not started (use it inside tests)');
    return beacon;
  };
  return {
    get beacon(): TestNode {
      return started();
    },
    get url(): string {
      return started().node.url;
    },
    /** Logs in as `username` and connects a socket, closed after the file's tests. */
    async client(username: string): Promise<TestClient> {
      const url = started().node.url;
      const socket = await connect(url, await login(url, username));
      clients.push(socket);
      return socket;
    },
  };
}

/** The SIP gateway's service socket, with a token minted like the node's gateway supervisor does. */
export async function gatewaySocket(node: BeaconNode): Promise<TestClient> {
  const { token } = await node.tokens.issue({
    userId: 'sip-gateway',
    username: 'sip-gateway',
    displayName: 'SIP gateway',
    role: 'service',
    townshipId: null,
  });
  return connect(node.url, token);
}

export async function login(url: string, username: string, password = 'beacon2026'): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export function api(
  url: string,
  token: string | undefined,
  pathname: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${url}${pathname}`, { ...init, headers });
}

/** A connected client, or the connect_error's `data` as the rejection. */
export function connect(url: string, token: string | undefined): Promise<TestClient> {
  const socket: TestClient = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: token === undefined ? {} : { token },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Emits a client event and resolves with its ack (any shape: tests also send garbage). */
export function request<E extends ClientEventName>(
  socket: TestClient,
  event: E,
  payload: unknown,
): Promise<Ack<ClientEventResults[E]>> {
  const raw = socket as unknown as Socket;
  return raw.timeout(5_000).emitWithAck(event, payload) as Promise<Ack<ClientEventResults[E]>>;
}

/** Like request, but fails the test unless the ack is ok. */
export async function ok<E extends ClientEventName>(
  socket: TestClient,
  event: E,
  payload: unknown,
): Promise<ClientEventResults[E]> {
  const res = await request(socket, event, payload);
  if (!res.ok) throw new Error(`${event} failed: ${res.error.code} ${res.error.message}`);
  return res.data;
}

/** Resolves with the next `event` the socket receives. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: TestClient,
  event: E,
  timeoutMs = 5_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  // Untyped view: socket.io's listener types do not narrow over a generic event name.
  const raw = socket as unknown as {
    on(e: string, l: (d: never) => void): void;
    off(e: string, l: (d: never) => void): void;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      raw.off(event, onEvent);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onEvent = (data: Parameters<ServerToClientEvents[E]>[0]): void => {
      clearTimeout(timer);
      raw.off(event, onEvent);
      resolve(data);
    };
    raw.on(event, onEvent);
  });
}

// Client-side media parameters: mediasoup accepts them on a transport that never carries packets.
export const FAKE_DTLS = {
  role: 'client',
  fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') }],
};
export const OPUS_RTP = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48_000, channels: 2 }],
  encodings: [{ ssrc: 2222 }],
};
export const VP8_RTP = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 }],
  encodings: [{ ssrc: 3333 }],
};

/** producer:create payload for a mic on the given send transport. */
export function micProducer(transportId: string) {
  return { transportId, kind: 'audio' as const, rtpParameters: OPUS_RTP, source: 'mic' as const };
}
