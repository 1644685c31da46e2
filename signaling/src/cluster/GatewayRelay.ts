/**
 * The SIP gateway across signaling nodes. The gateway's socket is on one
 * node; a room runs on its owner (ForwardedRooms), which may be another. So
 * every node publishes whether a gateway that can take calls is connected to
 * it, and a node without one relays its rooms' dial-outs and upstream-link
 * requests to a node with one; that node's gateway reports progress and
 * call-ins, which travel back to the room's owner. The messages go over the
 * sealed node-to-node channel (ClusterRpc, HMAC-checked like every other) as
 * kinds `gateway:*`, and are checked with zod here before the bridge sees them.
 *
 *   beacon:sip-gateway:<nodeId>   this node's gateway can take calls; expires after `deadAfterMs`
 *                                 unless renewed (like the node's heartbeat)
 *
 *   owner ──gateway:dial / gateway:upstream / gateway:upstreamControl──▶ gateway's node ──▶ gateway
 *   owner ◀──gateway:callState / gateway:upstreamIn─────────────────────  gateway's node ◀── gateway
 */
import { BeaconError, dialStateSchema, upstreamPinSchema, upstreamUriSchema } from '@beacon/protocol';
import { z } from 'zod';
import { createLogger } from '../logger.ts';
import type { RelayMessage, RemoteGateways } from '../sip/remoteGateways.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { ClusterNode } from './ClusterNode.ts';
import type { RoomOwnership } from './RoomOwnership.ts';

const logger = createLogger('GatewayRelay');

const PREFIX = 'beacon:sip-gateway:';
const gatewayKey = (nodeId: string) => `${PREFIX}${nodeId}`;

const id = z.string().min(1).max(200);
const relayMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('gateway:dial'),
    request: z.object({
      requestId: id,
      roomId: id,
      extension: z.string().min(1).max(32),
      displayName: z.string().max(200),
      townshipId: id.nullable(),
      video: z.boolean().optional(),
    }),
  }),
  z.object({
    kind: z.literal('gateway:upstream'),
    request: z.object({ requestId: id, roomId: id, uri: upstreamUriSchema, pin: upstreamPinSchema.nullable() }),
  }),
  z.object({
    kind: z.literal('gateway:upstreamControl'),
    control: z.object({ requestId: id, action: z.enum(['hangup', 'mute', 'unmute']) }),
  }),
  z.object({
    kind: z.literal('gateway:callState'),
    requestId: id,
    state: dialStateSchema,
    reason: z.string().max(200).nullable(),
  }),
  z.object({ kind: z.literal('gateway:upstreamIn'), requestId: id, roomId: id, source: z.string().min(1).max(100) }),
]);

/** Whether a cluster request body is one of the gateway relay's (ForwardedRooms hands those here). */
export function isRelayMessage(body: unknown): boolean {
  const kind = (body as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && kind.startsWith('gateway:');
}

export type RelaySend = (nodeId: string, body: unknown) => Promise<unknown>;

export interface GatewayRelayOptions {
  node: ClusterNode;
  ownership: RoomOwnership;
  sip: SipBridge;
  /** How often this node's gateway presence is renewed and the others' read. Default 2000 ms. */
  tickMs?: number;
  /** A gateway presence not renewed for this long has expired. Default 6000 ms. */
  expiresAfterMs?: number;
}

export class GatewayRelay implements RemoteGateways {
  readonly #node: ClusterNode;
  readonly #ownership: RoomOwnership;
  readonly #sip: SipBridge;
  readonly #tickMs: number;
  readonly #expiresAfterMs: number;
  /** Other nodes whose gateway can take calls, as last read (sorted: every node picks the same). */
  #others: string[] = [];
  #published = false;
  #send: RelaySend | null = null;
  #timer: NodeJS.Timeout | undefined;
  readonly #onStatus = () => void this.#publish();

  constructor(opts: GatewayRelayOptions) {
    this.#node = opts.node;
    this.#ownership = opts.ownership;
    this.#sip = opts.sip;
    this.#tickMs = opts.tickMs ?? 2000;
    this.#expiresAfterMs = opts.expiresAfterMs ?? 6000;
  }

  get nodeId(): string {
    return this.#node.nodeId;
  }

  /** Starts publishing and relaying; `send` carries a message to another node (ClusterRpc, sealed). */
  async start(send: RelaySend): Promise<void> {
    this.#send = send;
    this.#sip.useCluster(this);
    // A gateway connecting, reporting or going changes the bridge's status: published at once, not at the tick.
    this.#sip.on('status', this.#onStatus);
    await this.#tick();
    this.#timer = setInterval(() => void this.#tick(), this.#tickMs);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#sip.off('status', this.#onStatus);
    await this.#node.redis.del(gatewayKey(this.#node.nodeId)).catch(() => undefined);
  }

  gatewayNode(): string | null {
    return this.#others[0] ?? null;
  }

  async roomDriver(roomId: string): Promise<string> {
    return this.#ownership.claim(roomId);
  }

  isDead(nodeId: string): Promise<boolean> {
    return this.#node.isDead(nodeId);
  }

  async send(nodeId: string, message: RelayMessage): Promise<unknown> {
    if (!this.#send) throw new BeaconError('node_unavailable', 'the cluster relay is not started');
    return this.#send(nodeId, message);
  }

  /** Another node's message for this node's bridge (already opened and its seal checked by ClusterRpc). */
  async serve(body: unknown, from: string): Promise<unknown> {
    const parsed = relayMessageSchema.safeParse(body);
    if (!parsed.success) throw new BeaconError('bad_request', 'malformed gateway relay message');
    return this.#sip.serveRelay(from, parsed.data as RelayMessage);
  }

  async #tick(): Promise<void> {
    try {
      await this.#publish();
      await this.#readOthers();
      await this.#sip.sweepRemote();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'gateway presence not renewed (Redis down?)');
    }
  }

  /** Writes (renews) this node's gateway presence while its gateway can take calls; removes it otherwise. */
  async #publish(): Promise<void> {
    const key = gatewayKey(this.#node.nodeId);
    const available = this.#sip.available;
    if (available) await this.#node.redis.set(key, '1', { PX: this.#expiresAfterMs });
    else if (this.#published) await this.#node.redis.del(key);
    if (available !== this.#published) logger.info({ available }, 'this node’s SIP gateway presence');
    this.#published = available;
  }

  async #readOthers(): Promise<void> {
    const others: string[] = [];
    for await (const key of this.#node.redis.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 100 })) {
      const nodeId = key.slice(PREFIX.length);
      if (nodeId !== this.#node.nodeId) others.push(nodeId);
    }
    others.sort();
    const before = this.#others.length;
    this.#others = others;
    if (before === 0 && others.length > 0) {
      logger.info({ nodes: others }, 'a SIP gateway is reachable through another node');
      this.#sip.remoteGatewayAvailable();
    }
  }
}
