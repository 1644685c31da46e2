/**
 * Signed links to one recording's file, for `<video src>` and download links
 * that cannot send a bearer header. A session token in a URL would outlive
 * the request in browser history, proxy and server logs and give everything
 * the account may do; a link gives one recording, for a few minutes:
 *
 *   /api/v1/recordings/<id>/file?expires=<unix seconds>&sig=<HMAC-SHA256>
 *
 * The HMAC covers the recording id and the expiry (a download flag is a
 * harmless query addition). Its key is derived from the JWT secret, so every
 * node of a cluster accepts a link another node issued. node:crypto's HMAC
 * and timing-safe compare are the whole mechanism: a JWT library would add a
 * header and claims nobody reads here.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BeaconError } from '@beacon/protocol';

export interface RecordingLinkOptions {
  /** The server's JWT secret (the link key is derived from it); default a random key (links good on this process). */
  secret?: Uint8Array;
  /** How long a link is good for; default 300 s. */
  ttlSeconds?: number;
  /** The clock (tests); default Date.now. */
  now?: () => number;
}

export interface RecordingLink {
  /** Path and query, same origin: `/api/v1/recordings/<id>/file?expires=…&sig=…[&download=1]`. */
  url: string;
  expiresAt: string;
}

const DEFAULT_TTL_SECONDS = 300;
const SIG = /^[A-Za-z0-9_-]{43}$/;

export class RecordingLinks {
  readonly #key: Buffer;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor(opts: RecordingLinkOptions = {}) {
    // A key of its own, not the JWT secret itself: a link's MAC can never be mistaken for a token's.
    this.#key = createHmac('sha256', opts.secret ?? randomBytes(32))
      .update('beacon recording links v1')
      .digest();
    this.#ttlSeconds = opts.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    this.#now = opts.now ?? Date.now;
  }

  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  issue(recordingId: string, opts: { download?: boolean } = {}): RecordingLink {
    const expires = Math.floor(this.#now() / 1000) + this.#ttlSeconds;
    const query = new URLSearchParams({ expires: String(expires), sig: this.#sign(recordingId, expires) });
    if (opts.download) query.set('download', '1');
    return {
      url: `/api/v1/recordings/${encodeURIComponent(recordingId)}/file?${query}`,
      expiresAt: new Date(expires * 1000).toISOString(),
    };
  }

  /** Whether the request carries a link at all (`sig` in the query). */
  static present(query: Record<string, unknown>): boolean {
    return query.sig !== undefined;
  }

  /** Throws `unauthorized` (forged, another recording's) or `token_expired` unless the query is a good link to it. */
  verify(recordingId: string, query: Record<string, unknown>): void {
    const { expires, sig } = query;
    const seconds = typeof expires === 'string' && /^\d{1,12}$/.test(expires) ? Number(expires) : Number.NaN;
    if (!Number.isSafeInteger(seconds) || typeof sig !== 'string' || !SIG.test(sig)) {
      throw BeaconError.unauthorized('malformed recording link');
    }
    const expected = Buffer.from(this.#sign(recordingId, seconds));
    if (!timingSafeEqual(expected, Buffer.from(sig))) throw BeaconError.unauthorized('invalid recording link');
    if (seconds * 1000 <= this.#now()) {
      throw new BeaconError('token_expired', '录像链接已过期，请重新打开 / the recording link has expired');
    }
  }

  #sign(recordingId: string, expires: number): string {
    return createHmac('sha256', this.#key).update(`recording\n${recordingId}\n${expires}`).digest('base64url');
  }
}
