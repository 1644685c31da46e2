/**
 * Short-lived TURN credentials after the TURN REST API
 * (draft-uberti-behave-turn-rest, coturn's `use-auth-secret`): coturn and
 * signaling share one secret, so signaling mints credentials without telling
 * coturn anything, and coturn refuses them once the expiry in the username
 * has passed.
 *
 *   username   = "<unix expiry>:<userId>"
 *   credential = base64(HMAC-SHA1(secret, username))
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IceServer } from '@beacon/protocol';

export interface TurnCredentialsOptions {
  /** The shared secret (coturn's `static-auth-secret`), at least 32 characters. */
  secret: string;
  /** Lifetime of a minted credential. */
  ttlSeconds: number;
  /** TURN URLs handed out with each credential (`turn:host:port?transport=udp`, …). */
  urls: string[];
  /** Clock in milliseconds; tests pass a fixed one. Default `Date.now`. */
  now?: () => number;
}

export interface MintedCredential {
  username: string;
  credential: string;
  /** Unix seconds after which coturn refuses the credential. */
  expiresAt: number;
}

export class TurnCredentials {
  readonly #secret: string;
  readonly #ttlSeconds: number;
  readonly #urls: string[];
  readonly #now: () => number;

  constructor(opts: TurnCredentialsOptions) {
    if (opts.secret.length < 32) throw new TypeError('TURN secret must be at least 32 characters');
    if (opts.urls.length === 0) throw new TypeError('at least one TURN URL');
    this.#secret = opts.secret;
    this.#ttlSeconds = opts.ttlSeconds;
    this.#urls = [...opts.urls];
    this.#now = opts.now ?? Date.now;
  }

  /**
   * A credential for `userId`. `ttlSeconds` overrides the lifetime (a negative
   * one mints an already expired credential, which tests use).
   */
  mint(userId: string, ttlSeconds = this.#ttlSeconds): MintedCredential {
    // ':' separates expiry and user in coturn's parser; a user id never needs one.
    if (userId.includes(':')) throw new TypeError('userId must not contain ":"');
    const expiresAt = Math.floor(this.#now() / 1000) + ttlSeconds;
    const username = `${expiresAt}:${userId}`;
    return { username, credential: turnPassword(this.#secret, username), expiresAt };
  }

  /** What an RTCPeerConnection needs: one entry with every URL and a fresh credential. */
  iceServersFor(userId: string): IceServer[] {
    const { username, credential } = this.mint(userId);
    return [{ urls: [...this.#urls], username, credential }];
  }
}

/** base64(HMAC-SHA1(secret, username)): the password coturn derives from a REST API username. */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/**
 * `turn:` URLs for UDP and TCP on one address (IPv6 literals in brackets),
 * and `turns:` (TLS over TCP) when `tlsPort` is given: the address must be
 * one the certificate names, which Beacon's own certificate does for the
 * announced media address.
 */
export function turnUrls(address: string, port: number, tlsPort: number | null = null): string[] {
  const host = address.includes(':') ? `[${address}]` : address;
  const urls = [`turn:${host}:${port}?transport=udp`, `turn:${host}:${port}?transport=tcp`];
  if (tlsPort !== null) urls.push(`turns:${host}:${tlsPort}?transport=tcp`);
  return urls;
}

const SECRET_FILE = 'turn-secret';

/**
 * BEACON_TURN_SECRET when set, otherwise a random secret generated on first
 * start and kept in `<dataDir>/turn-secret` (mode 0600), so credentials
 * minted before a restart stay valid (as resolveJwtSecret does for tokens).
 */
export function resolveTurnSecret(config: { dataDir: string; turn: { secret: string | null } }): string {
  if (config.turn.secret !== null) return config.turn.secret;
  mkdirSync(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, SECRET_FILE);
  try {
    writeFileSync(file, `${randomBytes(36).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds a secret shorter than 32 characters; delete it to regenerate`);
  return secret;
}
