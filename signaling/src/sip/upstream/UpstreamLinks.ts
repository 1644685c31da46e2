/**
 * The links up of every room this node serves (one UpstreamLink per room,
 * made when its chair first connects), on top of the SIP bridge that reaches
 * the gateway. Automatic moves (came up, dropped, redialling, gave up) are
 * audited here as the system's; the chair's own actions are audited by the
 * socket handlers with the chair as actor.
 */
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
    link.on('status', (status) => this.safeEmit('status', status));
    link.on('transition', (t) => this.#onTransition(roomId, t));
    this.#links.set(roomId, link);
    return link;
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

  close(): void {
    for (const roomId of [...this.#links.keys()]) this.roomClosed(roomId);
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
        detail: { from: t.from, reason: t.reason, attempts: t.attempts },
      })
      .catch((err: unknown) => logger.error({ err, roomId, action }, 'upstream audit entry not written'));
  }
}
