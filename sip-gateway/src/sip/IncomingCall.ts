/**
 * A phone calling in (usually a conference number). Created by the user
 * agent only when the INVITE's SDP is usable (or absent: delayed offer);
 * unusable SDP has already been answered 488 by then.
 */
import type { Invitation } from 'sip.js';
import { SessionState } from 'sip.js';
import type { Logger } from '../logger.ts';
import { SipCall, SOURCE_HEADER, sourceIpOf } from './SipCall.ts';
import type { AudioOffer } from './sdp.ts';
import type { CallEnd, MediaNegotiation, RtpEndpoint, VideoEndpoint } from './sipTypes.ts';
import type { VideoOffer } from './videoSdp.ts';

/** Kamailio puts the dialled number here: it rewrites the R-URI to reach us. */
export const DIALLED_HEADER = 'X-Beacon-Dialled';

export class IncomingCall extends SipCall {
  readonly fromUser: string;
  readonly fromDisplayName: string | null;
  /** The number the phone dialled. */
  readonly toUser: string;
  /** Null when the INVITE had no SDP (then we offer in the 200 and take the answer from the ACK). */
  readonly offer: AudioOffer | null;
  /** The INVITE's video stream (a SIP video terminal), null for a desk phone. */
  readonly videoOffer: VideoOffer | null;
  readonly #invitation: Invitation;

  constructor(invitation: Invitation, offer: AudioOffer | null, logger: Logger, videoOffer: VideoOffer | null = null) {
    const request = invitation.request;
    super(invitation, request.callId, logger, {
      onCancel: () => {
        this.endHint ??= { reason: 'cancelled', statusCode: 487 };
      },
    });
    this.#invitation = invitation;
    this.offer = offer;
    this.videoOffer = videoOffer;
    this.fromUser = invitation.remoteIdentity.uri.user ?? '';
    this.fromDisplayName = invitation.remoteIdentity.displayName || null;
    this.toUser = request.getHeader(DIALLED_HEADER)?.trim() || request.to.uri.user || '';
    this.signalIp = sourceIpOf(request.getHeader(SOURCE_HEADER));
  }

  /**
   * Answers 200 with our SDP for `endpoint` (G.722 when first, else PCMU, else PCMA; telephone-event if
   * offered), and H.264 video to `video` when the terminal offered it and the call has a video socket.
   */
  async accept(endpoint: RtpEndpoint, video: VideoEndpoint | null = null): Promise<MediaNegotiation> {
    this.sdhContext.endpoint = endpoint;
    this.sdhContext.video = video;
    await this.#invitation.accept();
    const negotiation = await this.waitFirstNegotiation();
    this.emitAnswered();
    return negotiation;
  }

  /** Final non-2xx answer (488 unusable SDP, 404 unknown number, 486 busy, 480, 503). */
  reject(statusCode: number): void {
    if (this.#invitation.state !== SessionState.Initial && this.#invitation.state !== SessionState.Establishing) return;
    this.endHint ??= { reason: 'local', statusCode };
    this.#invitation.reject({ statusCode }).catch((error: unknown) => {
      this.logger.debug({ err: error }, 'reject failed');
      this.finish({ reason: 'local', statusCode });
    });
  }

  /** BYE when answered; before that a 480 final answer. */
  hangup(): void {
    const state = this.#invitation.state;
    if (state === SessionState.Initial || state === SessionState.Establishing) {
      this.reject(480);
      return;
    }
    if (state !== SessionState.Established) return;
    this.endHint ??= { reason: 'local', statusCode: null };
    this.#invitation.bye().catch((error: unknown) => {
      this.logger.debug({ err: error }, 'BYE failed');
      this.finish(null);
    });
  }

  protected defaultEnd(): CallEnd {
    return { reason: 'failed', statusCode: null };
  }
}
