/**
 * Seals node-to-node messages with an HMAC-SHA256 over a key every node of
 * the cluster shares, and opens only those it sealed. Redis is a shared
 * place: without this, anyone able to publish on it (a compromised host on
 * the backbone, a Redis without AUTH) could hand a room's owner an event with
 * any user's claims and it would run with that user's rights.
 *
 * A sealed message says when it was sealed; one older (or further in the
 * future) than `maxAgeMs` is refused, so a captured message cannot be
 * replayed later. Within that window the caller refuses a request id it has
 * already run (ClusterRpc).
 *
 * node:crypto does it in a few lines (createHmac, timingSafeEqual); a JOSE
 * JWS would add a header and base64 layers for nothing the nodes need.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { parseRedisJson } from './redisJson.ts';

const envelopeSchema = z.object({ m: z.string(), s: z.string(), t: z.number() });

/** Why a message was not opened (counted in beacon_cluster_messages_rejected_total). */
export type SealRejection = 'malformed' | 'bad_signature' | 'stale';

export interface ClusterSealOptions {
  /** Messages sealed longer ago than this (or this far ahead: clock skew) are refused. Default 30 s. */
  maxAgeMs?: number;
  now?: () => number;
}

export class ClusterSeal {
  readonly #key: Buffer;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(key: Uint8Array, opts: ClusterSealOptions = {}) {
    if (key.byteLength < 32) throw new TypeError('the cluster key must have at least 32 bytes');
    this.#key = Buffer.from(key);
    this.#maxAgeMs = opts.maxAgeMs ?? 30_000;
    this.#now = opts.now ?? Date.now;
  }

  /** The envelope to publish: the message, when it was sealed, and the HMAC over both. */
  seal(message: unknown): string {
    const m = JSON.stringify(message);
    const t = this.#now();
    return JSON.stringify({ m, t, s: this.#mac(m, t) });
  }

  /** The message inside `raw`, or why it is refused. */
  open(raw: string): { ok: true; message: unknown } | { ok: false; reason: SealRejection } {
    const envelope = parseRedisJson(envelopeSchema, raw);
    if (!envelope) return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(this.#mac(envelope.m, envelope.t), 'base64url');
    const given = Buffer.from(envelope.s, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'bad_signature' };
    }
    if (Math.abs(this.#now() - envelope.t) > this.#maxAgeMs) return { ok: false, reason: 'stale' };
    try {
      return { ok: true, message: JSON.parse(envelope.m) };
    } catch {
      return { ok: false, reason: 'malformed' };
    }
  }

  #mac(m: string, t: number): string {
    return createHmac('sha256', this.#key).update(`${t}.${m}`).digest('base64url');
  }
}

/**
 * The cluster key: BEACON_CLUSTER_SECRET when set, else derived from the JWT
 * secret with HKDF-SHA256. Every node of a cluster must already share the JWT
 * secret (a token signed on one node is checked on another), so deriving
 * needs nothing new distributed; HKDF with its own label keeps the two keys
 * apart, so neither use can stand in for the other.
 */
export function clusterKey(opts: { clusterSecret: string | null; jwtSecret: Uint8Array }): Uint8Array {
  if (opts.clusterSecret !== null) return new TextEncoder().encode(opts.clusterSecret);
  return new Uint8Array(hkdfSync('sha256', opts.jwtSecret, 'beacon', 'beacon cluster messages v1', 32));
}
