/**
 * A dial-out from a room to a phone extension. Outcome mapping the lead
 * shows: 486/600 → `rejected` 486 ("busy"); 404/480/604 → `failed`;
 * no answer within the timeout → CANCEL and `no_answer`; 408 → `no_answer`.
 */
import type { Core, Inviter } from 'sip.js';
import { SessionState } from 'sip.js';
import type { Logger } from '../logger.ts';
import { SipCall, SOURCE_HEADER, sourceIpOf } from './SipCall.ts';
import type { CallEnd } from './sipTypes.ts';

export function endForStatus(statusCode: number): CallEnd {
  if (statusCode === 486 || statusCode === 600) return { reason: 'rejected', statusCode: 486 };
  if (statusCode === 408) return { reason: 'no_answer', statusCode };
  return { reason: 'failed', statusCode };
}

export class OutgoingCall extends SipCall {
  readonly toUser: string;
  readonly #inviter: Inviter;
  readonly #noAnswerTimeoutMs: number;
  #timer: NodeJS.Timeout | undefined;
  #ringing = false;
  #finalStatus: number | null = null;

  constructor(inviter: Inviter, toUser: string, noAnswerTimeoutMs: number, logger: Logger) {
    super(inviter, inviter.request.callId, logger.child({ toUser }));
    this.#inviter = inviter;
    this.toUser = toUser;
    this.#noAnswerTimeoutMs = noAnswerTimeoutMs;
    this.on('ended', () => clearTimeout(this.#timer));
  }

  /** Sends the INVITE; called once by the user agent right after construction. */
  start(): void {
    this.#timer = setTimeout(() => {
      this.endHint ??= { reason: 'no_answer', statusCode: null };
      this.#cancel();
    }, this.#noAnswerTimeoutMs);
    this.#inviter
      .invite({
        requestDelegate: {
          onProgress: (response) => this.#onProgress(response),
          onAccept: (response) => this.learnSignalIp(sourceIpOf(response.message.getHeader(SOURCE_HEADER))),
          onReject: (response) => this.#onReject(response),
        },
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'INVITE could not be sent');
        this.finish({ reason: 'failed', statusCode: null });
      });
  }

  /** CANCEL before the answer, BYE after. */
  hangup(): void {
    const state = this.#inviter.state;
    if (state === SessionState.Initial || state === SessionState.Establishing) {
      this.endHint ??= { reason: 'local', statusCode: null };
      this.#cancel();
    } else if (state === SessionState.Established) {
      this.endHint ??= { reason: 'local', statusCode: null };
      this.#inviter.bye().catch((error: unknown) => {
        this.logger.debug({ err: error }, 'BYE failed');
        this.finish(null);
      });
    }
  }

  protected override onEstablished(): void {
    clearTimeout(this.#timer);
    this.emitAnswered();
  }

  protected defaultEnd(): CallEnd {
    return this.#finalStatus === null ? { reason: 'failed', statusCode: null } : endForStatus(this.#finalStatus);
  }

  #onProgress(response: Core.IncomingResponse): void {
    const code = response.message.statusCode;
    this.signalIp ??= sourceIpOf(response.message.getHeader(SOURCE_HEADER));
    if ((code === 180 || code === 183) && !this.#ringing) {
      this.#ringing = true;
      this.logger.debug('ringing');
      this.safeEmit('ringing');
    }
  }

  #onReject(response: Core.IncomingResponse): void {
    const code = response.message.statusCode ?? 500;
    this.#finalStatus = code;
    if (this.endHint) {
      // Our own CANCEL (no answer or hang-up) comes back as 487: keep our reason.
      if (this.endHint.statusCode === null) this.endHint = { ...this.endHint, statusCode: code };
      return;
    }
    this.endHint = endForStatus(code);
  }

  #cancel(): void {
    this.#inviter.cancel().catch((error: unknown) => {
      this.logger.debug({ err: error }, 'CANCEL failed');
      this.finish(null);
    });
  }
}
