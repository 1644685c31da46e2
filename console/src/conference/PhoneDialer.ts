/**
 * Dial-out from a conference: the SIP gateway's availability and phone
 * registrations (REST snapshot, then `sip:status` pushes) and the progress of
 * each call the chair placed (`phone:dial` ack, then `phone:dial:state`).
 * It does not know the socket: data comes in through `handle*` methods and
 * goes out through the port, so tests drive it directly.
 *
 * Progress of one extension:
 *
 *   dialling ──► ringing ──► answered ──► ended
 *      │            │
 *      └────────────┴──► busy | no_answer | failed      (error: the server refused the dial)
 *
 * A new dial of the same extension supersedes the previous request: late
 * events of the old one are dropped instead of overwriting the new progress.
 */
import type { DialState, SipStatus } from '@beacon/protocol';
import { reactive } from 'vue';
import { api } from '../api.ts';
import { type ClientErrorCode, ConsoleError, toConsoleError } from '../errors.ts';
import type { ConferenceSession } from './ConferenceSession.ts';
import { DIAL_NUMBER } from './phoneState.ts';

export interface PhoneDialerPort {
  dial(extension: string): Promise<{ requestId: string }>;
  fetchStatus(): Promise<SipStatus>;
}

/** `error`: the server refused the dial itself (`errorCode` says why). */
export type DialProgressState = DialState | 'error';

export interface DialProgress {
  extension: string;
  /** Null until the ack (or a first state event) names the request. */
  requestId: string | null;
  state: DialProgressState;
  /** The gateway's reason (e.g. a SIP status) or the server's error message. */
  reason: string | null;
  errorCode: ClientErrorCode | null;
}

export interface PhoneDialerState {
  /** Null until the first snapshot arrives. */
  status: SipStatus | null;
  /** The snapshot could not be fetched (e.g. a server without the SIP gateway): shown as unavailable. */
  statusError: ClientErrorCode | null;
  /** By extension, the latest dial of each (in the order first dialled). */
  dials: Record<string, DialProgress>;
}

const IN_PROGRESS: readonly DialProgressState[] = ['dialling', 'ringing'];

export function isDialInProgress(progress: DialProgress | undefined): boolean {
  return progress !== undefined && IN_PROGRESS.includes(progress.state);
}

export class PhoneDialer {
  readonly state: PhoneDialerState = reactive({ status: null, statusError: null, dials: {} });
  readonly #port: PhoneDialerPort;
  readonly #superseded = new Set<string>();
  /** Dial attempts per extension: a refusal of an attempt that a newer one replaced is not shown. */
  readonly #attempts = new Map<string, number>();
  /** Ignores a REST snapshot that a newer push overtook while it was in flight. */
  #statusVersion = 0;

  constructor(port: PhoneDialerPort) {
    this.#port = port;
  }

  /**
   * Calls may be placed: a gateway is connected and its Kamailio runs — or the account may not read the
   * gateway's status (a township co-chair: phones' addresses are for staff) and the server decides on each dial.
   */
  get available(): boolean {
    return this.state.status?.available === true || this.#statusHidden;
  }

  /** Why calls cannot be placed (a reason code), null when they can or before the first snapshot. */
  get unavailableReason(): string | null {
    const { status, statusError } = this.state;
    if (status) return status.available ? null : (status.reason ?? 'unknown');
    return statusError && !this.#statusHidden ? 'status_unreachable' : null;
  }

  get #statusHidden(): boolean {
    return this.state.status === null && this.state.statusError === 'forbidden';
  }

  async refresh(): Promise<void> {
    const version = ++this.#statusVersion;
    try {
      const status = await this.#port.fetchStatus();
      if (version === this.#statusVersion) this.handleStatus(status);
    } catch (error) {
      if (version !== this.#statusVersion) return;
      this.state.statusError = toConsoleError(error).code;
      this.state.status = null;
    }
  }

  handleStatus(status: SipStatus): void {
    this.#statusVersion++;
    this.state.status = status;
    this.state.statusError = null;
  }

  handleDialState(event: { requestId: string; extension: string; state: DialState; reason: string | null }): void {
    if (this.#superseded.has(event.requestId)) return;
    const current = this.state.dials[event.extension];
    // Another moderator dialled the same phone later: theirs is the live one now.
    if (current?.requestId && current.requestId !== event.requestId) this.#superseded.add(current.requestId);
    this.state.dials[event.extension] = {
      extension: event.extension,
      requestId: event.requestId,
      state: event.state,
      reason: event.reason,
      errorCode: null,
    };
  }

  /**
   * Asks the server to call `extension` into the room. False (and the error
   * shown as that extension's progress) when the number is malformed, a dial
   * of it is still in progress, or the server refuses.
   */
  async dial(extension: string): Promise<boolean> {
    const previous = this.state.dials[extension];
    if (isDialInProgress(previous)) return false;
    if (previous?.requestId) this.#superseded.add(previous.requestId);
    if (!DIAL_NUMBER.test(extension)) {
      this.#fail(extension, 'bad_request', null);
      return false;
    }
    const attempt = (this.#attempts.get(extension) ?? 0) + 1;
    this.#attempts.set(extension, attempt);
    this.state.dials[extension] = { extension, requestId: null, state: 'dialling', reason: null, errorCode: null };
    try {
      const { requestId } = await this.#port.dial(extension);
      if (this.#attempts.get(extension) !== attempt) {
        this.#superseded.add(requestId);
        return true;
      }
      const entry = this.state.dials[extension];
      // A state event may have named the request before the ack did.
      if (entry && entry.requestId === null) entry.requestId = requestId;
      return true;
    } catch (error) {
      if (this.#attempts.get(extension) !== attempt) return false;
      const failure = toConsoleError(error);
      this.#fail(extension, failure.code, failure.message);
      // The gateway went away since the last snapshot: show the banner now, not in 30 s.
      if (failure.code === 'sip_unavailable') void this.refresh();
      return false;
    }
  }

  #fail(extension: string, code: ClientErrorCode, reason: string | null): void {
    this.state.dials[extension] = { extension, requestId: null, state: 'error', reason, errorCode: code };
  }
}

/**
 * The dialer of a conference page: requests go over the conference's socket, the snapshot over REST — for staff;
 * another account (a township co-chair) is not asked for a snapshot it would be refused.
 */
export function connectPhoneDialer(
  conference: ConferenceSession,
  token: string | null,
  mayReadStatus: boolean,
): PhoneDialer {
  const { signaling } = conference;
  const dialer = new PhoneDialer({
    dial: (extension) => signaling.request('phone:dial', { extension }),
    fetchStatus: () =>
      mayReadStatus
        ? api<SipStatus>('/sip/status', { token })
        : Promise.reject(new ConsoleError('forbidden', 'the SIP gateway status is for staff')),
  });
  signaling.socket.on('sip:status', (status) => dialer.handleStatus(status));
  signaling.socket.on('phone:dial:state', (event) => dialer.handleDialState(event));
  return dialer;
}
