/**
 * The links up of every room this node serves (one UpstreamLink per room,
 * made when its chair first connects or the upstream calls in), on top of
 * the SIP bridge that reaches the gateway. Automatic moves (came up, dropped,
 * redialling, gave up) are audited here as the system's; the chair's own
 * actions are audited by the socket handlers with the chair as actor.
 *
 * What the chairs want is kept in the store (upstream_links) as it changes,
 * and `restore` redials those links after a restart.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TypedEmitter } from '@beacon/common';
import type { DialState, UpstreamStatus } from '@beacon/protocol';
import { createLogger } from '../../logger.ts';
import type { Store } from '../../store/index.ts';
import type { SipBridge } from '../SipBridge.ts';
import { type UpstreamBackoff, UpstreamLink, type UpstreamTransition } from './UpstreamLink.ts';

const logger = createLogger('UpstreamLinks');

/** The deployment's upstream conference (config BEACON_UPSTREAM_URI / BEACON_UPSTREAM_PIN); null: none. */
export interface UpstreamTarget {
  uri: string;
  pin: string | null;
}

export type UpstreamLinksEvents = {
  status: [UpstreamStatus];
};

/** Audit action of an automatic move (the chair's connect/disconnect are audited by their handlers). */
function actionOf(t: UpstreamTransition): string | null {
  if (t.to === 'connected') return 'upstream.connected';
  // The upstream hung up its own call while no chair wanted the link (a chair's disconnect has no reason).
  if (t.to === 'idle' && t.from === 'connected' && t.reason !== null) return 'upstream.ended';
  if (t.to === 'redialling') return t.from === 'connected' ? 'upstream.dropped' : 'upstream.redialling';
  if (t.to === 'failed') return 'upstream.failed';
  return null;
}

export class UpstreamLinks extends TypedEmitter<UpstreamLinksEvents> {
  readonly #target: UpstreamTarget | null;
  readonly #sip: SipBridge;
  readonly #store: Store;
  readonly #backoff: Partial<UpstreamBackoff> | undefined;
  readonly #links = new Map<string, UpstreamLink>();
  /** What the store holds per room (wanted → sendMuted; absent: not wanted), and the write in flight. */
  readonly #persisted = new Map<string, boolean>();
  #writes: Promise<void> = Promise.resolve();
  #stopping = false;

  constructor(opts: {
    target: UpstreamTarget | null;
    sip: SipBridge;
    store: Store;
    backoff?: Partial<UpstreamBackoff>;
  }) {
    super();
    this.#target = opts.target;
    this.#sip = opts.sip;
    this.#store = opts.store;
    this.#backoff = opts.backoff;
  }

  get configured(): boolean {
    return this.#target !== null;
  }

  status(roomId: string): UpstreamStatus {
    const link = this.#links.get(roomId);
    if (link) return link.status();
    return {
      roomId,
      configured: this.configured,
      state: 'idle',
      reason: null,
      sendMuted: false,
      attempts: 0,
      redialAt: null,
      incoming: false,
    };
  }

  /** The room's link, made on first use; null when no upstream is configured. */
  link(roomId: string): UpstreamLink | null {
    const target = this.#target;
    if (!target) return null;
    let link = this.#links.get(roomId);
    if (link) return link;
    link = new UpstreamLink({
      roomId,
      uri: target.uri,
      pin: target.pin,
      dial: (request) => this.#sip.dialUpstream(request),
      control: (control) => this.#sip.controlUpstream(control),
      ...(this.#backoff ? { backoff: this.#backoff } : {}),
    });
    link.on('status', (status) => {
      if (!this.#stopping) this.#persist(link);
      this.safeEmit('status', status);
    });
    link.on('transition', (t) => this.#onTransition(roomId, t));
    this.#links.set(roomId, link);
    return link;
  }

  /**
   * Whether a call from `source` (the address Kamailio saw, already one of the gateway's trusted peers) is the
   * upstream conference: the upstream URI's host is that address, or a name that resolves to it.
   */
  async isUpstreamSource(source: string): Promise<boolean> {
    const target = this.#target;
    if (!target) return false;
    const host = hostOf(target.uri);
    if (isIP(host) !== 0) return sameAddress(host, source);
    try {
      const addresses = await lookup(host, { all: true });
      return addresses.some((a) => sameAddress(a.address, source));
    } catch (err) {
      logger.warn({ err, host }, 'upstream host does not resolve: a call in cannot be matched to it');
      return false;
    }
  }

  /** The upstream called the room's number: `requestId` names that call from now on. */
  incoming(roomId: string, requestId: string): UpstreamLink | null {
    const link = this.link(roomId);
    link?.acceptIncoming(requestId);
    return link;
  }

  /**
   * After a start: dial again every link a chair wanted before (with its mute). `owns` says whether this node
   * drives the room (in a cluster, the room's owner; alone, always) — another node's links are its own.
   */
  async restore(owns: (roomId: string) => Promise<boolean> = async () => true): Promise<string[]> {
    if (!this.#target) return [];
    const restored: string[] = [];
    for (const { roomId, sendMuted } of await this.#store.upstreamLinks.wanted()) {
      if (this.#links.get(roomId)?.wanted) continue;
      if (!(await owns(roomId))) continue;
      const link = this.link(roomId);
      if (!link) continue;
      this.#persisted.set(roomId, sendMuted);
      link.setSendMuted(sendMuted);
      link.connect();
      restored.push(roomId);
    }
    if (restored.length > 0) logger.info({ rooms: restored }, 'links up redialled after a restart');
    return restored;
  }

  /** Settles once every store write queued so far is done (tests, shutdown). */
  flush(): Promise<void> {
    return this.#writes;
  }

  /** The gateway's progress of an upstream call; false when no link has that request. */
  callState(requestId: string, state: DialState, reason: string | null): boolean {
    for (const link of this.#links.values()) {
      if (link.callState(requestId, state, reason)) return true;
    }
    return false;
  }

  /** The room closed (meeting over): its link hangs up for good. */
  roomClosed(roomId: string): void {
    const link = this.#links.get(roomId);
    if (!link) return;
    this.#links.delete(roomId);
    link.close();
  }

  /** The node stops: calls are hung up, but what the chairs want stays stored for the next start. */
  close(): void {
    // First: the hang-ups below must not reach the store as "no longer wanted".
    this.#stopping = true;
    for (const [roomId, link] of [...this.#links]) {
      this.#links.delete(roomId);
      link.close();
    }
  }

  /** Writes the link's wanted state when it differs from the stored one (in order, one write at a time). */
  #persist(link: UpstreamLink): void {
    const roomId = link.roomId;
    const stored = this.#persisted.get(roomId);
    const wanted = link.wanted;
    const sendMuted = link.sendMuted;
    if (wanted ? stored === sendMuted : stored === undefined) return;
    if (wanted) this.#persisted.set(roomId, sendMuted);
    else this.#persisted.delete(roomId);
    const write = wanted
      ? () => this.#store.upstreamLinks.want({ roomId, sendMuted })
      : () => this.#store.upstreamLinks.drop(roomId);
    this.#writes = this.#writes
      .then(write)
      .catch((err: unknown) => logger.error({ err, roomId, wanted }, 'upstream link state not stored'));
  }

  #onTransition(roomId: string, t: UpstreamTransition): void {
    logger.info({ roomId, ...t }, 'upstream link');
    const action = actionOf(t);
    if (!action) return;
    this.#store.audit
      .append({
        actorId: 'system',
        role: 'service',
        action,
        target: roomId,
        detail: { from: t.from, reason: t.reason, attempts: t.attempts, incoming: t.incoming },
      })
      .catch((err: unknown) => logger.error({ err, roomId, action }, 'upstream audit entry not written'));
  }
}

/** `sip:6001@host:port` → `host` (IPv6 literals lose their brackets). */
function hostOf(uri: string): string {
  const afterAt = uri.slice(uri.indexOf('@') + 1);
  if (afterAt.startsWith('[')) return afterAt.slice(1, afterAt.indexOf(']'));
  const colon = afterAt.lastIndexOf(':');
  return colon === -1 ? afterAt : afterAt.slice(0, colon);
}

function sameAddress(a: string, b: string): boolean {
  const plain = (ip: string) => ip.toLowerCase().replace(/^::ffff:/, '');
  return plain(a) === plain(b);
}
