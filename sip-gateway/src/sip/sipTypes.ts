/**
 * Types shared by the gateway's SIP user agent and its calls. Re-exported by
 * GatewayUserAgent.ts, which is where the rest of the gateway imports them from.
 */

/** What one offer/answer settled: where to send RTP and in which codec. */
export interface MediaNegotiation {
  remote: { ip: string; port: number };
  /** G722 is wideband (16 kHz audio on an 8000 RTP clock). */
  codec: 'PCMU' | 'PCMA' | 'G722';
  payloadType: number;
  telephoneEventPt: number | null;
  /** The phone's direction: `sendonly`/`inactive` means it put us on hold. */
  remoteDirection: SdpDirection;
  /** A SIP video terminal's H.264 stream, when one was offered and accepted (absent: audio only). */
  video?: VideoNegotiation;
}

/** The video a terminal and the gateway agreed on. */
export interface VideoNegotiation {
  remote: { ip: string; port: number; rtcpPort: number };
  rtcpMux: boolean;
  payloadType: number;
  /**
   * Payload types the terminal may send its video with (absent: `payloadType` only). After our offer it is
   * every H.264 type we offered: an answerer may send any offered format its answer kept, and some (baresip
   * 1.0) answer the last matching one yet send with the first.
   */
  sendPayloadTypes?: number[];
  profileLevelId: string;
  /** What the terminal said it can receive, kbit/s (capped); null when its SDP had no b= line. */
  bandwidthKbps: number | null;
  remoteDirection: SdpDirection;
}

/** The local RTP side of a terminal's video (TerminalVideo): RTP on localPort, RTCP on localPort + 1 or muxed. */
export interface VideoEndpoint {
  readonly localIp: string;
  readonly localPort: number;
  /** What the gateway takes in, kbit/s (answered as b=AS/TIAS). */
  readonly receiveKbps: number;
}

/** The local RTP side of one call, owned by the lead's code (a PhoneMedia). */
export interface RtpEndpoint {
  readonly localIp: string;
  readonly localPort: number;
}

export interface GatewayUserAgentOptions {
  /** Kamailio's WebSocket, e.g. `ws://127.0.0.1:5066`. */
  wsUrl: string;
  /** SIP domain (Kamailio's realm/alias), e.g. `beacon`. */
  domain: string;
  /** Registered user; Kamailio routes conference numbers to it. Default `gateway`. */
  username?: string;
  /** Its digest password (SubscriberDb.setServiceUser); Kamailio challenges REGISTER and INVITE over the WebSocket. */
  password?: string;
  /** Display name phones show for dial-outs. Default `Beacon`. */
  displayName?: string;
  /** A dial-out rings this long, then CANCEL and `no_answer`. Default 30_000. */
  noAnswerTimeoutMs?: number;
  /** start() gives up (rejects) when not registered after this long. Default 15_000. */
  startTimeoutMs?: number;
  /** Registration lifetime asked of Kamailio; sip.js refreshes before it ends. Default 300. */
  registerExpiresSec?: number;
}

export type CallEndReason = 'bye' | 'cancelled' | 'rejected' | 'no_answer' | 'failed' | 'local';

export interface CallEnd {
  reason: CallEndReason;
  statusCode: number | null;
}

export interface SipCallEvents {
  /** Outgoing: 180/183 (once). */
  ringing: [];
  /** Outgoing: 200 + ACK; incoming: after accept(). */
  answered: [MediaNegotiation];
  /** Any later offer/answer (hold: remoteDirection sendonly/inactive; resume: sendrecv). */
  media: [MediaNegotiation];
  /** SIP INFO (application/dtmf-relay, application/dtmf), answered 200. */
  dtmf: [digit: string];
  /** SIP INFO picture_fast_update (RFC 5168): the terminal wants a key frame of what it receives. */
  pictureUpdate: [];
  /** Exactly once per call. */
  ended: [CallEnd];
}

/** An SDP media direction attribute. */
export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
