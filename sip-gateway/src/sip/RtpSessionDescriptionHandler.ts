/**
 * sip.js's offer/answer hook for a phone call: plain RTP to an `RtpEndpoint`
 * the lead's PhoneMedia owns, G.722 or G.711. No media is touched here; each
 * settled negotiation (initial, re-INVITE hold/resume) is reported to the
 * call, which turns it into `answered` or `media`.
 *
 * A remote offer we cannot use (garbage SDP, none of G722, PCMU, PCMA) throws
 * `SdpError` from setDescription: sip.js then answers 488 Not Acceptable Here.
 *
 * Video, when the call has a terminal's video socket: answered (a terminal
 * calling in, videoSdp.ts buildVideoSection) or offered (the console calling a
 * terminal, buildVideoOffer) as H.264 mode 1; either way the agreed format
 * reaches the call as `MediaNegotiation.video`, and without one it is audio only.
 */
import { randomInt } from 'node:crypto';
import type {
  BodyAndContentType,
  SessionDescriptionHandler,
  SessionDescriptionHandlerModifier,
  SessionDescriptionHandlerOptions,
} from 'sip.js';
import {
  type AudioOffer,
  answerDirection,
  buildAudioSdp,
  chooseAudioCodec,
  type PhoneAudioCodec,
  parseAudioSdp,
  SdpError,
} from './sdp.ts';
import type { MediaNegotiation, RtpEndpoint, VideoEndpoint, VideoNegotiation } from './sipTypes.ts';
import {
  buildVideoOffer,
  buildVideoSection,
  chooseAnsweredH264,
  chooseH264,
  MAX_VIDEO_KBPS,
  OFFER_H264,
  parseVideoSdp,
  type VideoOffer,
  withVideoSection,
} from './videoSdp.ts';

/** What the call gives its handler: the endpoints (set at accept/dial time) and a sink. */
export interface RtpSdhContext {
  endpoint: RtpEndpoint | null;
  /** A SIP video terminal's video socket; null: any offered video is rejected (audio only). */
  video?: VideoEndpoint | null;
  onNegotiated(negotiation: MediaNegotiation): void;
}

/** What we offer when we make the offer: G.722 first (wideband when the phone has it), PCMU, PCMA, RFC 4733 events. */
export const OFFER_PAYLOAD_TYPES = [9, 0, 8];
export const OFFER_TELEPHONE_EVENT_PT = 101;

export class RtpSessionDescriptionHandler implements SessionDescriptionHandler {
  readonly #context: RtpSdhContext;
  readonly #sessionId = String(randomInt(1_000_000, 2 ** 47));
  #sessionVersion = 0;
  /** A remote offer set and not yet answered. */
  #remoteOffer: AudioOffer | null = null;
  #remoteVideo: VideoOffer | null = null;
  /** We sent an offer (dial-out, or a 200 to an INVITE without SDP) and wait for the answer. */
  #awaitingAnswer = false;
  /** That offer had our H.264 (a dial-out to a video terminal). */
  #offeredVideo = false;
  #closed = false;

  constructor(context: RtpSdhContext) {
    this.#context = context;
  }

  close(): void {
    this.#closed = true;
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(';')[0]?.trim().toLowerCase() === 'application/sdp';
  }

  async getDescription(
    _options?: SessionDescriptionHandlerOptions,
    _modifiers?: SessionDescriptionHandlerModifier[],
  ): Promise<BodyAndContentType> {
    this.#assertOpen();
    const endpoint = this.#context.endpoint;
    if (!endpoint) throw new Error('no RTP endpoint for this call yet');
    const offer = this.#remoteOffer;
    if (offer) {
      const chosen = chooseAudioCodec(offer);
      this.#remoteOffer = null;
      const audioBody = this.#build(
        endpoint,
        [chosen.payloadType],
        offer.telephoneEventPt,
        answerDirection(offer.direction),
        { [chosen.payloadType]: chosen.codec },
      );
      const { body, video } = this.#answerVideo(audioBody);
      this.#context.onNegotiated({
        remote: { ip: offer.ip, port: offer.port },
        codec: chosen.codec,
        payloadType: chosen.payloadType,
        telephoneEventPt: offer.telephoneEventPt,
        remoteDirection: offer.direction,
        ...(video ? { video } : {}),
      });
      return { body, contentType: 'application/sdp' };
    }
    this.#awaitingAnswer = true;
    const audioBody = this.#build(endpoint, OFFER_PAYLOAD_TYPES, OFFER_TELEPHONE_EVENT_PT, 'sendrecv');
    const video = this.#context.video ?? null;
    this.#offeredVideo = video !== null;
    if (video === null) return { body: audioBody, contentType: 'application/sdp' };
    const lines = buildVideoOffer({
      port: video.localPort,
      bandwidthKbps: Math.min(video.receiveKbps, MAX_VIDEO_KBPS),
    });
    return { body: withVideoSection(audioBody, lines, false), contentType: 'application/sdp' };
  }

  async setDescription(
    sdp: string,
    _options?: SessionDescriptionHandlerOptions,
    _modifiers?: SessionDescriptionHandlerModifier[],
  ): Promise<void> {
    this.#assertOpen();
    const parsed = parseAudioSdp(sdp);
    const chosen = chooseAudioCodec(parsed);
    if (!this.#awaitingAnswer) {
      this.#remoteOffer = parsed;
      this.#remoteVideo = parseVideoSdp(sdp);
      return;
    }
    this.#awaitingAnswer = false;
    if (!OFFER_PAYLOAD_TYPES.includes(chosen.payloadType)) {
      throw new SdpError('sdp_no_codec', `answer chose payload type ${chosen.payloadType} we did not offer`);
    }
    const telephoneEventPt = parsed.telephoneEventPt === OFFER_TELEPHONE_EVENT_PT ? OFFER_TELEPHONE_EVENT_PT : null;
    const video = this.#offeredVideo ? answeredVideo(parseVideoSdp(sdp)) : null;
    this.#context.onNegotiated({
      remote: { ip: parsed.ip, port: parsed.port },
      codec: chosen.codec,
      payloadType: chosen.payloadType,
      telephoneEventPt,
      remoteDirection: parsed.direction,
      ...(video ? { video } : {}),
    });
  }

  async rollbackDescription(): Promise<void> {
    this.#remoteOffer = null;
    this.#remoteVideo = null;
    this.#awaitingAnswer = false;
    this.#offeredVideo = false;
  }

  /** RFC 4733 sending is the lead's RTP code's business, not SIP's. */
  sendDtmf(_tones: string, _options?: unknown): boolean {
    return false;
  }

  /**
   * The video part of an answer: H.264 to the terminal's video endpoint when
   * the offer has a usable format and the call has a video socket, else the
   * offered stream rejected with port 0 (RFC 3264 §6: the answer keeps every m-line).
   */
  #answerVideo(audioBody: string): { body: string; video: VideoNegotiation | null } {
    const offer = this.#remoteVideo;
    this.#remoteVideo = null;
    if (offer === null) return { body: audioBody, video: null };
    const local = this.#context.video ?? null;
    const format = local ? chooseH264(offer) : null;
    const videoFirst = offer.audioIndex >= 0 && offer.index < offer.audioIndex;
    const receiveKbps = Math.min(local?.receiveKbps ?? MAX_VIDEO_KBPS, MAX_VIDEO_KBPS);
    const lines = buildVideoSection({
      port: local?.localPort ?? 0,
      format,
      offeredPayloadTypes: offer.payloadTypes,
      rtcpMux: offer.rtcpMux,
      bandwidthKbps: receiveKbps,
      direction: answerDirection(offer.direction),
    });
    const body = withVideoSection(audioBody, lines, videoFirst);
    if (format === null || local === null || offer.port === 0) return { body, video: null };
    return {
      body,
      video: {
        remote: { ip: offer.ip, port: offer.port, rtcpPort: offer.rtcpPort },
        rtcpMux: offer.rtcpMux,
        payloadType: format.payloadType,
        profileLevelId: format.profileLevelId,
        bandwidthKbps: offer.bandwidthKbps === null ? null : Math.min(offer.bandwidthKbps, MAX_VIDEO_KBPS),
        remoteDirection: offer.direction,
      },
    };
  }

  #build(
    endpoint: RtpEndpoint,
    payloadTypes: number[],
    telephoneEventPt: number | null,
    direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive',
    codecNames?: Partial<Record<number, PhoneAudioCodec>>,
  ): string {
    this.#sessionVersion += 1;
    return buildAudioSdp({
      ip: endpoint.localIp,
      port: endpoint.localPort,
      payloadTypes,
      codecNames,
      telephoneEventPt,
      direction,
      sessionId: this.#sessionId,
      sessionVersion: this.#sessionVersion,
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('session description handler closed');
  }
}

/** The video a terminal's answer to our H.264 offer agreed, or null: the call then goes on audio only. */
function answeredVideo(answer: VideoOffer | null): VideoNegotiation | null {
  const format = chooseAnsweredH264(answer);
  if (answer === null || format === null) return null;
  return {
    remote: { ip: answer.ip, port: answer.port, rtcpPort: answer.rtcpPort },
    rtcpMux: answer.rtcpMux,
    payloadType: format.payloadType,
    sendPayloadTypes: OFFER_H264.map((offered) => offered.payloadType),
    profileLevelId: format.profileLevelId,
    bandwidthKbps: answer.bandwidthKbps === null ? null : Math.min(answer.bandwidthKbps, MAX_VIDEO_KBPS),
    remoteDirection: answer.direction,
  };
}
