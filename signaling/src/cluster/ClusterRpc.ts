/**
 * Requests from one signaling node to another over Redis pub/sub: each node
 * listens on `beacon:rpc:<nodeId>` and answers on the asker's channel with
 * the request id. Used to run a room's events on the room's owner. A request
 * that gets no answer in time fails with `node_unavailable` (the owner died
 * or Redis is down) — never hangs the client's ack.
 *
 * Every message is sealed with the cluster's key (ClusterSeal): one that is
 * not — forged, altered, too old — or a request id already run is dropped,
 * logged and counted. A request carries the user's claims, so an unsealed one
 * would run an event with whatever rights its sender wrote in.
 */
import { randomUUID } from 'node:crypto';
import { BeaconError } from '@beacon/protocol';
import { z } from 'zod';
import { createLogger } from '../logger.ts';
import type { ClusterNode, RedisClient } from './ClusterNode.ts';
import type { SealRejection } from './ClusterSeal.ts';

const logger = createLogger('ClusterRpc');

const channel = (nodeId: string) => `beacon:rpc:${nodeId}`;

const messageSchema = z.union([
  z.object({ kind: z.literal('request'), id: z.string(), from: z.string(), body: z.unknown() }),
  z.object({
    kind: z.literal('reply'),
    id: z.string(),
    ok: z.boolean(),
    data: z.unknown().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
]);

/** The target node has no subscriber on its channel: its process is gone (not merely slow). */
export class NodeGoneError extends BeaconError {
  constructor(readonly nodeId: string) {
    super('node_unavailable', `signaling node ${nodeId} is gone`);
  }
}

export type RpcServe = (body: unknown, from: string) => Promise<unknown>;

/** Told about each message dropped unopened (metrics count them); `replayed`: a request id already run. */
export type RpcRejected = (reason: SealRejection | 'replayed') => void;

export interface ClusterRpcOptions {
  /** How long a request waits for its answer. Default 10 s. */
  timeoutMs?: number;
  /** Default: only logged. */
  onRejected?: RpcRejected;
}

/** Request ids run lately: a sealed request is valid for the seal's 30 s, so 60 s covers it with skew. */
const SEEN_FOR_MS = 60_000;

export class ClusterRpc {
  readonly #node: ClusterNode;
  readonly #serve: RpcServe;
  readonly #timeoutMs: number;
  readonly #pending = new Map<
    string,
    { resolve(data: unknown): void; reject(err: Error): void; timer: NodeJS.Timeout }
  >();
  readonly #onRejected: RpcRejected;
  /** `from:id` of requests run lately → when to forget it (oldest first). */
  readonly #seen = new Map<string, number>();
  #sub: RedisClient | null = null;

  private constructor(node: ClusterNode, serve: RpcServe, opts: ClusterRpcOptions) {
    this.#node = node;
    this.#serve = serve;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#onRejected = opts.onRejected ?? (() => undefined);
  }

  static async start(node: ClusterNode, serve: RpcServe, opts: ClusterRpcOptions = {}): Promise<ClusterRpc> {
    const rpc = new ClusterRpc(node, serve, opts);
    rpc.#sub = await node.subscriber();
    await rpc.#sub.subscribe(channel(node.nodeId), (message: string) => rpc.#onMessage(message));
    return rpc;
  }

  /** Sends `body` to `nodeId`'s serve function; resolves its result or rejects with its BeaconError. */
  request(nodeId: string, body: unknown): Promise<unknown> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new BeaconError('node_unavailable', `signaling node ${nodeId} did not answer`));
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      const message = this.#node.seal.seal({ kind: 'request', id, from: this.#node.nodeId, body });
      this.#node.redis.publish(channel(nodeId), message).then(
        (receivers) => {
          // Nobody subscribed: the node is gone; fail now rather than at the timeout.
          if (receivers === 0)
            this.#settle(id, {
              ok: false,
              error: { code: 'node_unavailable', message: `signaling node ${nodeId} is gone` },
            });
        },
        (err: unknown) =>
          this.#settle(id, {
            ok: false,
            error: { code: 'node_unavailable', message: `Redis: ${(err as Error).message}` },
          }),
      );
    });
  }

  async close(): Promise<void> {
    for (const [id] of this.#pending) {
      this.#settle(id, { ok: false, error: { code: 'node_unavailable', message: 'this node is shutting down' } });
    }
    await this.#sub?.quit().catch(() => undefined);
  }

  #onMessage(raw: string): void {
    const opened = this.#node.seal.open(raw);
    const parsed = opened.ok ? messageSchema.safeParse(opened.message) : null;
    if (!parsed?.success) {
      this.#reject(opened.ok ? 'malformed' : opened.reason);
      return;
    }
    const message = parsed.data;
    if (message.kind === 'reply') {
      this.#settle(message.id, message);
      return;
    }
    const { id, from } = message;
    if (!this.#firstTime(`${from}:${id}`)) {
      this.#reject('replayed');
      return;
    }
    this.#serve(message.body, from).then(
      (data) => this.#reply(from, { kind: 'reply', id, ok: true, data }),
      (err: unknown) => {
        const error =
          err instanceof BeaconError
            ? { code: err.code, message: err.message }
            : { code: 'internal', message: 'internal error on the room’s node' };
        if (!(err instanceof BeaconError)) logger.error({ err }, 'forwarded request failed');
        this.#reply(from, { kind: 'reply', id, ok: false, error });
      },
    );
  }

  #reject(reason: SealRejection | 'replayed'): void {
    logger.warn({ reason }, 'cluster message dropped');
    this.#onRejected(reason);
  }

  /** Records a request id; false when it was run already (a replay). */
  #firstTime(key: string): boolean {
    const now = Date.now();
    for (const [seen, until] of this.#seen) {
      if (until > now) break;
      this.#seen.delete(seen);
    }
    if (this.#seen.has(key)) return false;
    this.#seen.set(key, now + SEEN_FOR_MS);
    return true;
  }

  #reply(to: string, message: unknown): void {
    this.#node.redis.publish(channel(to), this.#node.seal.seal(message)).catch((err: unknown) => {
      logger.warn({ err: (err as Error).message, to }, 'reply not sent');
    });
  }

  #settle(
    id: string,
    reply: { ok: boolean; data?: unknown; error?: { code: string; message: string } | undefined },
  ): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.data);
    else {
      const { code, message } = reply.error ?? { code: 'internal', message: 'no error given' };
      pending.reject(new BeaconError(code as never, message));
    }
  }
}
