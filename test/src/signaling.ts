/**
 * Server state for e2e tests, read the way a client reads it: REST with a
 * bearer token, and a socket.io client that joins a room and keeps the
 * peers and the room state the server pushes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Ack,
  type ClientEventName,
  type ClientEventResults,
  type ClientPayload,
  type ClientToServerEvents,
  type LoginResponse,
  type PeerInfo,
  type RoomState,
  request,
  requestAck,
  type ServerToClientEvents,
} from '@beacon/protocol';
import { io, type Socket } from 'socket.io-client';
import { DEMO_PASSWORD } from './beaconProcess.ts';

const FAKE_DTLS = {
  role: 'client',
  fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') }],
};

export type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function loginApi(baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<LoginResponse> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as LoginResponse;
}

/** A REST call under the base URL; throws with the body unless the status is 2xx. */
export async function apiJson<T>(baseUrl: string, token: string, path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(`${baseUrl}${path}`, { ...init, headers });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * A socket.io client of one user. After `join`, `peers` and `state` follow
 * what the server pushes (peer:joined/left/updated, room:state).
 */
export class SignalingClient {
  readonly peers = new Map<string, PeerInfo>();
  state: RoomState | null = null;
  selfPeerId: string | null = null;
  /** Every server event received, in order (for failure reports). */
  readonly events: { event: string; data: unknown }[] = [];

  private constructor(readonly socket: SignalingSocket) {
    socket.onAny((event: string, data: unknown) => {
      this.events.push({ event, data });
    });
    socket.on('peer:joined', (peer) => this.peers.set(peer.peerId, peer));
    socket.on('peer:updated', (peer) => this.peers.set(peer.peerId, peer));
    socket.on('peer:left', ({ peerId }) => this.peers.delete(peerId));
    socket.on('room:state', (state) => {
      this.state = state;
    });
  }

  static async connect(baseUrl: string, token: string): Promise<SignalingClient> {
    const socket: SignalingSocket = io(baseUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
    return new SignalingClient(socket);
  }

  /**
   * Emits a client event and resolves with its ack, ok or not. The payload is
   * `unknown`: tests send invalid ones on purpose.
   */
  request<E extends ClientEventName>(event: E, payload: unknown): Promise<Ack<ClientEventResults[E]>> {
    return requestAck(this.socket, event, payload as ClientPayload<E>);
  }

  /** Like request, but throws a ClientError with the server's code unless the ack is ok. */
  ok<E extends ClientEventName>(event: E, payload: unknown): Promise<ClientEventResults[E]> {
    return request(this.socket, event, payload as ClientPayload<E>);
  }

  /** Joins without media (no transports): enough to watch the room. */
  async join(roomId: string, options: { audience?: boolean } = {}): Promise<ClientEventResults['room:join']> {
    const joined = await this.ok('room:join', { roomId, ...options });
    this.selfPeerId = joined.peerId;
    this.state = joined.state;
    for (const peer of joined.peers) this.peers.set(peer.peerId, peer);
    return joined;
  }

  /**
   * A video producer that never carries packets (a fake DTLS fingerprint
   * and a fixed SSRC are enough for mediasoup): others get a consumer and a
   * tile for it. Cheap stand-in for a terminal in crowded-room tests.
   */
  async produceSilentVideo(): Promise<string> {
    const transport = await this.ok('transport:create', { direction: 'send' });
    await this.ok('transport:connect', { transportId: transport.id, dtlsParameters: FAKE_DTLS });
    const ssrc = 100_000 + Math.floor(Math.random() * 1_000_000);
    const { producerId } = await this.ok('producer:create', {
      transportId: transport.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 }],
        encodings: [{ ssrc }],
      },
    });
    return producerId;
  }

  /** The peer of a user in the room (not ourselves), if present. */
  peerOf(userId: string): PeerInfo | undefined {
    return [...this.peers.values()].find((peer) => peer.userId === userId && peer.peerId !== this.selfPeerId);
  }

  peerIdOf(userId: string): string {
    const peer = this.peerOf(userId);
    if (!peer)
      throw new Error(`user ${userId} is not in the room (peers: ${[...this.peers.values()].map((p) => p.userId)})`);
    return peer.peerId;
  }

  close(): void {
    this.socket.close();
  }
}

/** The one-time password a deployment without demo data gives its admin (Beacon writes it once, mode 0600). */
export async function initialAdminPassword(dataDir: string): Promise<string> {
  return (await readFile(join(dataDir, 'initial-admin-password'), 'utf8')).trim();
}

/** Signs in with `password` and changes it to `newPassword` as the forced change does; the fresh session. */
export async function changePasswordApi(
  baseUrl: string,
  username: string,
  password: string,
  newPassword: string,
): Promise<LoginResponse> {
  const { token } = await loginApi(baseUrl, username, password);
  return apiJson<LoginResponse>(baseUrl, token, '/api/v1/auth/password', {
    method: 'POST',
    body: JSON.stringify({ currentPassword: password, newPassword }),
  });
}

/**
 * A department's account as an admin creates it (with a first password the policy makes its owner change), then
 * changed to `password` as its owner does at first sign-in; ready to sign in with `password`.
 */
export async function createDepartmentAccount(
  baseUrl: string,
  adminToken: string,
  account: { username: string; displayName: string; departmentId: string; password: string },
): Promise<void> {
  const first = 'Initial-dept-pass-3';
  await apiJson(baseUrl, adminToken, '/api/v1/admin/users', {
    method: 'POST',
    body: JSON.stringify({
      username: account.username,
      password: first,
      displayName: account.displayName,
      role: 'department',
      departmentId: account.departmentId,
    }),
  });
  await changePasswordApi(baseUrl, account.username, first, account.password);
}
