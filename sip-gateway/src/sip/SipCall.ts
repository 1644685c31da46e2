/**
 * What an incoming and an outgoing call share: turning sip.js session
 * events into `SipCallEvents` (answered once, media after, DTMF from INFO,
 * ended exactly once with the best-known reason).
 *
 * ```
 *   Initial ──> Establishing ──> Established ──> Terminated   (sip.js SessionState)
 *      │              │                ^  │ re-INVITE: `media`
 *      │              │     `answered` ┘  │ INFO: `dtmf`
 *      └──────────────┴───────────────────┴──> `ended` (once)
 * ```
 */
import { CodedError, TypedEmitter } from '@beacon/common';
import type { Info, Session, SessionDelegate } from 'sip.js';
import { SessionState } from 'sip.js';
import type { Logger } from '../logger.ts';
import { parseDtmfInfo } from './dtmfInfo.ts';
import { asksPictureFastUpdate, isMediaControl, MEDIA_CONTROL_TYPE, PICTURE_FAST_UPDATE_XML } from './mediaControl.ts';
import type { RtpSdhContext } from './RtpSessionDescriptionHandler.ts';
import type { CallEnd, MediaNegotiation, SipCallEvents } from './sipTypes.ts';

/** How long one DTMF INFO waits for its answer before the next digit goes anyway. */
const DTMF_INFO_TIMEOUT_MS = 2000;

/** Kamailio writes where a phone's request or reply came from (its IP) into this header for the gateway. */
export const SOURCE_HEADER = 'X-Beacon-Source';
const IPV4_OR_6 = /^[0-9a-fA-F.:]{2,45}$/;

/** The header's address when it is one; anything else is ignored. */
export function sourceIpOf(value: string | undefined): string | null {
  const ip = value?.trim() ?? '';
  return IPV4_OR_6.test(ip) ? ip : null;
}

export class CallEndedError extends CodedError<'call_ended'> {
  override readonly name = 'CallEndedError';
  constructor(readonly end: CallEnd) {
    super('call_ended', `call ended (${end.reason}${end.statusCode === null ? '' : ` ${end.statusCode}`})`);
  }
}

export abstract class SipCall extends TypedEmitter<SipCallEvents> {
  readonly callId: string;
  /** Read by the session description handler the user agent's factory creates. */
  readonly sdhContext: RtpSdhContext;
  protected readonly logger: Logger;
  /** Set by a subclass as soon as it knows why the call will end (first one wins). */
  protected endHint: CallEnd | null = null;
  /** Where Kamailio saw the phone's SIP come from (SOURCE_HEADER); null when unknown. */
  signalIp: string | null = null;
  #negotiation: MediaNegotiation | null = null;
  #answered = false;
  #remoteBye = false;
  #ended: CallEnd | null = null;
  readonly #firstNegotiation: Promise<MediaNegotiation>;
  #resolveFirst: (negotiation: MediaNegotiation) => void = () => {};
  #rejectFirst: (error: Error) => void = () => {};

  protected constructor(
    protected readonly session: Session,
    callId: string,
    logger: Logger,
    extraDelegate: SessionDelegate = {},
  ) {
    super();
    this.callId = callId;
    this.logger = logger.child({ callId });
    this.sdhContext = { endpoint: null, onNegotiated: (negotiation) => this.#onNegotiated(negotiation) };
    this.#firstNegotiation = new Promise((resolve, reject) => {
      this.#resolveFirst = resolve;
      this.#rejectFirst = reject;
    });
    // Callers await it only while the call lives; never an unhandled rejection.
    this.#firstNegotiation.catch(() => {});
    session.delegate = {
      ...extraDelegate,
      onBye: (bye) => {
        this.#remoteBye = true;
        bye.accept().catch((error: unknown) => this.logger.debug({ err: error }, 'could not answer BYE'));
      },
      onInfo: (info) => this.#onInfo(info),
    };
    session.stateChange.addListener((state) => {
      if (state === SessionState.Established) this.onEstablished();
      // sip.js terminates the session before it hands the final response to
      // the request delegate: let that run first so the reason is known.
      if (state === SessionState.Terminated) {
        setImmediate(() => this.finish(this.#remoteBye ? { reason: 'bye', statusCode: null } : null));
      }
    });
  }

  /** The media the last offer/answer settled (null before the first one). */
  get negotiation(): MediaNegotiation | null {
    return this.#negotiation;
  }

  get ended(): boolean {
    return this.#ended !== null;
  }

  protected onEstablished(): void {}

  /** The end reason when nothing more specific is known. */
  protected abstract defaultEnd(): CallEnd;

  protected waitFirstNegotiation(): Promise<MediaNegotiation> {
    return this.#firstNegotiation;
  }

  protected emitAnswered(): void {
    if (this.#answered || !this.#negotiation || this.#ended) return;
    this.#answered = true;
    this.logger.info({ codec: this.#negotiation.codec, remote: this.#negotiation.remote }, 'call answered');
    this.safeEmit('answered', this.#negotiation);
  }

  /** The answer's source address arrived after `answered` (sip.js tells it last): media listeners re-read it. */
  protected learnSignalIp(ip: string | null): void {
    if (ip === null || ip === this.signalIp) return;
    this.signalIp = ip;
    if (this.#answered && this.#negotiation && !this.#ended) this.safeEmit('media', this.#negotiation);
  }

  /** Emits `ended` once; later calls are ignored. */
  protected finish(end: CallEnd | null): void {
    if (this.#ended) return;
    const final = end ?? this.endHint ?? this.defaultEnd();
    this.#ended = final;
    this.#rejectFirst(new CallEndedError(final));
    this.logger.info({ reason: final.reason, statusCode: final.statusCode }, 'call ended');
    this.safeEmit('ended', final);
  }

  #onNegotiated(negotiation: MediaNegotiation): void {
    this.#negotiation = negotiation;
    this.#resolveFirst(negotiation);
    if (this.#answered) {
      this.logger.debug({ direction: negotiation.remoteDirection }, 'media renegotiated');
      this.safeEmit('media', negotiation);
    }
  }

  /** Asks the terminal for a key frame by SIP INFO picture_fast_update (RFC 5168). Best effort. */
  /**
   * Keys digits by SIP INFO (`application/dtmf-relay`, one request per digit): what conference bridges take
   * for a PIN when telephone-events are off, and our own dial-in reads it too. Each INFO waits for its answer
   * before the next goes: proxies may reorder back-to-back requests, and the far end refuses one whose CSeq
   * is below the last it saw (RFC 3261 12.2.2) — a digit lost, a wrong PIN.
   */
  async sendDtmf(digits: string): Promise<void> {
    for (const digit of digits) {
      if (this.#ended || this.session.state !== SessionState.Established) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, DTMF_INFO_TIMEOUT_MS);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        this.session
          .info({
            requestDelegate: { onAccept: done, onReject: done },
            requestOptions: {
              body: {
                contentDisposition: 'render',
                contentType: 'application/dtmf-relay',
                content: `Signal=${digit}\r\nDuration=160\r\n`,
              },
            },
          })
          .catch((error: unknown) => {
            this.logger.debug({ err: error, digit }, 'DTMF INFO not sent');
            done();
          });
      });
    }
  }

  sendPictureFastUpdate(): void {
    if (this.#ended || this.session.state !== SessionState.Established) return;
    this.session
      .info({
        requestOptions: {
          body: { contentDisposition: 'render', contentType: MEDIA_CONTROL_TYPE, content: PICTURE_FAST_UPDATE_XML },
        },
      })
      .catch((error: unknown) => this.logger.debug({ err: error }, 'picture_fast_update INFO not sent'));
  }

  #onInfo(info: Info): void {
    const message = info.request;
    if (isMediaControl(message.getHeader('Content-Type'))) {
      if (!asksPictureFastUpdate(message.body ?? '')) {
        // A media_control we do not act on (or not XML at all): refused, the call goes on.
        info.reject({ statusCode: 415 }).catch(() => {});
        return;
      }
      info.accept().catch(() => {});
      this.logger.debug('picture_fast_update by INFO');
      this.safeEmit('pictureUpdate');
      return;
    }
    const digit = parseDtmfInfo(message.getHeader('Content-Type'), message.body ?? '');
    if (digit === null) {
      info.reject({ statusCode: 415 }).catch(() => {});
      return;
    }
    info.accept().catch(() => {});
    this.logger.debug({ digit }, 'DTMF by INFO');
    this.safeEmit('dtmf', digit);
  }
}
