/**
 * Desk IP phones (through Kamailio and the SIP gateway). Browser-safe: only zod. Merged into
 * `clientEventSchemas` in events.ts.
 *
 * Shape of the bridge:
 *  - The SIP gateway connects ONE service socket (role `service`) for its own
 *    business: resolving dialled numbers and PINs, minting leg tokens, tapping
 *    a room's audio for its mixer, reporting registrations and dial-out states.
 *  - Every phone call (leg) then connects its OWN socket with a leg token
 *    (claims `device: 'phone'`), joins the room with the normal `room:join`
 *    and so is an ordinary participant: chair mute, remove (= hang up), speak
 *    requests, attendance and reconnect grace all work unchanged. Instead of
 *    WebRTC transports it opens one plain-RTP producer (`phone:media`) and
 *    never consumes: the gateway's room tap feeds its mixer.
 *
 * Events named `sip:*` are for the gateway's service socket only; `phone:*`
 * events for leg sockets only, except `phone:dial` (chair, co-chair, duty
 * officer in a room).
 */
import { z } from 'zod';
import {
  DIAL_NUMBER_PATTERN,
  DIAL_STATES,
  type DialState,
  PHONE_CALL_STATES,
  type PhoneCallState,
  SIP_CALL_DIRECTIONS,
  SIP_CALL_OUTCOMES,
} from './vocabulary.ts';

const id = z.string().min(1).max(128);
export const dialNumberSchema = z.string().regex(DIAL_NUMBER_PATTERN, 'digits only, 2–16 of them');
export const phoneCallStateSchema = z.enum(PHONE_CALL_STATES);
export const dialStateSchema = z.enum(DIAL_STATES);

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/**
 * The gateway's running totals since its process started (`bootId` changes on
 * every start, so signaling can tell a restart from a counter going back).
 */
export const gatewayCountersSchema = z.object({
  bootId: z.string().min(1).max(64),
  calls: z
    .array(z.object({ direction: z.enum(SIP_CALL_DIRECTIONS), outcome: z.enum(SIP_CALL_OUTCOMES), count }))
    .max(SIP_CALL_DIRECTIONS.length * SIP_CALL_OUTCOMES.length),
  /** 20 ms mixer clock ticks, and those that ran more than a frame late. */
  mixerTicks: count,
  mixerLateTicks: count,
  /** RTP datagrams dropped because they came from neither the call's phone nor mediasoup (hijack attempts, strays). */
  rtpForeignDropped: count.optional(),
  /** Conference PIN lockouts started (a number or a caller after too many wrong PINs). */
  pinLockouts: count.optional(),
});
export type GatewayCounters = z.infer<typeof gatewayCountersSchema>;

export interface PhoneInfo {
  extension: string | null;
  callState: PhoneCallState;
  /** A SIP video terminal: its H.264 camera is in the room (absent or false: an audio-only desk phone). */
  video?: boolean;
}

export interface PhoneRegistration {
  extension: string;
  /** Terminal id in the store (null: a registered user Beacon does not know). */
  terminalId: string | null;
  townshipId: string | null;
  registered: boolean;
  /** Where the phone said it can be reached (`sip:8001@127.0.0.1:5071`). */
  contact: string | null;
  expiresAt: string | null;
  /** In a call through the gateway right now. */
  inCall: boolean;
}

export interface SipStatus {
  /** True when a gateway is connected and its Kamailio runs. */
  available: boolean;
  /** Why not, for the UI ('kamailio_not_installed', 'gateway_not_connected', ...). */
  reason: string | null;
  registrations: PhoneRegistration[];
}

/** One audio producer of the room that the gateway's tap receives. */
export interface TapStream {
  producerId: string;
  peerId: string;
  ssrc: number;
  payloadType: number;
  /** `audio/opus` for browsers. */
  mimeType: string;
  clockRate: number;
  channels: number;
}

export interface DialRequest {
  requestId: string;
  roomId: string;
  extension: string;
  displayName: string;
  townshipId: string | null;
  /** The callee is a SIP video terminal: the INVITE offers H.264 beside the audio (absent or false: audio only). */
  video?: boolean;
}

export interface AlertCallRequest {
  warningId: string;
  /** The warned township; null for a department's desk phone (signaling knows it by the extension). */
  townshipId: string | null;
  extension: string;
  /** What the phone hears, generated with espeak-ng (`cmn`, then `en`). */
  textZh: string;
  textEn: string;
}

export const sipEventSchemas = {
  // ---- gateway service socket --------------------------------------------
  /** A dialled conference number → the room (error `room_not_found`). */
  'sip:resolve': z.object({ number: dialNumberSchema }),
  /**
   * A call to a conference number came from a peer address the gateway takes as a trunk (BEACON_SIP_PEERS,
   * the source as Kamailio saw it): is it the deployment's upstream conference calling in (上联, no PIN)?
   */
  'sip:upstreamIn': z.object({
    number: dialNumberSchema,
    callId: z.string().min(1).max(256),
    source: z.union([z.ipv4(), z.ipv6()]),
  }),
  /** Checks a PIN (error `wrong_pin`); audited, with the caller (its extension, or its address) when given. */
  'sip:enter': z.object({
    number: dialNumberSchema,
    pin: z.string().regex(/^[0-9]{1,12}$/),
    caller: z.string().min(1).max(64).optional(),
  }),
  /** The gateway locked a caller or a conference number out of PIN entry (too many wrong PINs): audited. */
  'sip:pinLockout': z.object({
    scope: z.enum(['caller', 'number']),
    number: dialNumberSchema,
    caller: z.string().min(1).max(64),
    failures: z.number().int().min(1).max(10_000),
    lockedForMs: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3_600_000),
  }),
  /** A token for one call's own socket (device phone). */
  'sip:legToken': z.object({
    callId: z.string().min(1).max(256),
    /** The calling/called extension when it is a known terminal, else null (displayed as the number). */
    extension: dialNumberSchema.nullable(),
    /** Caller number as received, for unknown callers. */
    fromNumber: z.string().max(64).nullable(),
    /** The call is the room's link up (上联): shown as the upstream conference (上级会场), not as a phone. */
    upstream: z.boolean().optional(),
  }),
  /** Sends every non-phone audio producer of the room to `ip:port` (plain RTP, one SSRC each). */
  'sip:tap': z.object({
    roomId: z.string().min(1).max(64),
    ip: z.string().min(1).max(64),
    port: z.number().int().min(1).max(65535),
  }),
  'sip:untap': z.object({ roomId: z.string().min(1).max(64) }),
  /** Kamailio state and registered phones (sent on change and every 30 s). */
  'sip:status': z.object({
    kamailio: z.enum(['running', 'unavailable']),
    reason: z.string().max(200).nullable(),
    registrations: z
      .array(
        z.object({
          extension: z.string().min(1).max(64),
          contact: z.string().max(512).nullable(),
          expiresAt: z.string().max(64).nullable(),
        }),
      )
      .max(10_000),
    /** Extensions in a call right now. */
    inCall: z.array(z.string().min(1).max(64)).max(10_000),
    /** Call outcomes and mixer clock totals for signaling's /metrics; optional (a status-only report leaves it out). */
    counters: gatewayCountersSchema.optional(),
  }),
  /** Progress of a dial-out the server asked for with `sip:dial`. */
  'sip:dialState': z.object({ requestId: id, state: dialStateSchema, reason: z.string().max(200).nullable() }),
  /** Digest credentials for Kamailio's subscriber table. */
  'sip:subscribers': z.object({}),
  /** The phone that took an alert call pressed 1: store the ack (channel phone); answered after it is stored. */
  'sip:alertAck': z.object({ warningId: id, townshipId: id.nullable(), extension: dialNumberSchema }),
  /** Progress of an alert call (for the ack board and logs); best effort. */
  'sip:alertCallState': z.object({
    warningId: id,
    townshipId: id.nullable(),
    extension: dialNumberSchema,
    state: dialStateSchema,
    reason: z.string().max(200).nullable(),
  }),
  /** Progress of a loudspeaker broadcast (`sip:broadcast`): answered, then ended once played, or why not. */
  'sip:broadcastState': z.object({
    callId: id,
    attempt: z.number().int().min(1).max(1000),
    state: dialStateSchema,
    reason: z.string().max(200).nullable(),
  }),

  // ---- a phone leg's own socket -------------------------------------------
  /** Opens the leg's producer: G.711 or G.722 (wideband, RTP clock 8000) RTP from the gateway into the room. */
  'phone:media': z.object({
    codec: z.enum(['PCMU', 'PCMA', 'G722']),
    ssrc: z.number().int().min(1).max(0xffff_ffff),
    payloadType: z.number().int().min(0).max(127),
    /** The gateway socket the audio comes from: the producer then takes RTP from there only (no comedia). */
    source: z.object({ ip: z.string().min(1).max(64), port: z.number().int().min(1).max(65535) }).optional(),
  }),
  /**
   * Opens a SIP video terminal's camera: its H.264 RTP (packetization-mode 1, the profile it negotiated) from
   * the gateway into the room, as the participant's `camera`. Asking again replaces the previous one.
   */
  'phone:video': z.object({
    ssrc: z.number().int().min(1).max(0xffff_ffff),
    payloadType: z.number().int().min(96).max(127),
    /** RFC 6184 profile-level-id, six hex digits (e.g. 42e01f). */
    profileLevelId: z.string().regex(/^[0-9a-fA-F]{6}$/),
    source: z.object({ ip: z.string().min(1).max(64), port: z.number().int().min(1).max(65535) }).optional(),
    /** The most the terminal sends, kbit/s (the b= it was answered or offered); absent: unknown. */
    maxKbps: z.number().int().min(1).max(100_000).optional(),
  }),
  /**
   * A SIP video terminal asks for the room's main view (the spotlight, else the active speaker, else the
   * chair), sent as plain RTP to this gateway socket and switched when the main view changes (`phone:view`).
   */
  'phone:view': z.object({
    ip: z.string().min(1).max(64),
    port: z.number().int().min(1).max(65535),
    /** What the terminal can receive, kbit/s (its SDP's b=TIAS or b=AS); absent: it did not say. */
    maxKbps: z.number().int().min(1).max(100_000).optional(),
  }),
  'phone:state': z.object({ callState: phoneCallStateSchema }),
  /** How many are in the room (for the `#` command). */
  'phone:count': z.object({}),

  // ---- console ---------------------------------------------------------------
  /** Chair / co-chair / duty officer in a room: call a phone into this room. */
  'phone:dial': z.object({ extension: dialNumberSchema }),
} as const;

export interface SipEventResults {
  /** `pinRequired: false`: join at once, no PIN prompt (the duty number); absent means true. */
  'sip:resolve': { roomId: string; title: string; pinRequired?: boolean };
  'sip:enter': { roomId: string; title: string };
  /** `upstream: false`: not the upstream — an ordinary caller who keys the PIN. Else the link's call id for `sip:dialState`. */
  'sip:upstreamIn': { upstream: false } | { upstream: true; requestId: string; roomId: string };
  'sip:pinLockout': Record<string, never>;
  'sip:legToken': { token: string; displayName: string; townshipId: string | null };
  'sip:tap': { streams: TapStream[] };
  'sip:untap': Record<string, never>;
  'sip:status': Record<string, never>;
  'sip:dialState': Record<string, never>;
  'sip:subscribers': { realm: string; subscribers: { username: string; ha1: string; ha1b: string }[] };
  'sip:alertAck': { ackedAt: string; alreadyAcked: boolean };
  'sip:alertCallState': Record<string, never>;
  'sip:broadcastState': Record<string, never>;
  'phone:media': { producerId: string; ip: string; port: number; rtcpPort: number };
  'phone:video': { producerId: string; ip: string; port: number; rtcpPort: number };
  'phone:view': Record<string, never>;
  'phone:state': Record<string, never>;
  'phone:count': { participants: number };
  'phone:dial': { requestId: string };
}

/** What a video terminal's main view is now: the stream arriving at its gateway socket (none: `producerId` null). */
export interface PhoneView {
  peerId: string | null;
  producerId: string | null;
  /** The stream's codec: H264 is forwarded as is, VP8 transcoded by the gateway. */
  codec: 'H264' | 'VP8' | null;
  payloadType: number | null;
  ssrc: number | null;
  /** The source port of the stream (mediasoup's plain transport); RTCP key-frame requests go back there. */
  port: number | null;
  /**
   * H.264 that does not fit the terminal's bandwidth in any of its layers: the gateway transcodes it at that
   * bandwidth instead of forwarding it (absent or false: forward H.264, transcode VP8).
   */
  transcode?: boolean;
}

export interface SipServerEvents {
  /** To a video terminal's leg: its main view changed. */
  'phone:view': (view: PhoneView) => void;
  /** To the gateway: a new audio producer in a tapped room. */
  'sip:tap:stream': (data: { roomId: string; stream: TapStream }) => void;
  /** To the gateway: a tapped producer went away. */
  'sip:tap:ended': (data: { roomId: string; producerId: string }) => void;
  /** To the gateway: call this extension into the room. */
  'sip:dial': (data: DialRequest) => void;
  /**
   * To the gateway: call this township's phone, read the warning out (Chinese,
   * then English) and ask to press 1 to acknowledge (签收). Sent on issue and on
   * every escalation while the township has not acknowledged.
   */
  'sip:alertCall': (data: AlertCallRequest) => void;
  /** To the gateway: credentials changed, resync Kamailio's subscriber table. */
  'sip:credentials': (data: Record<string, never>) => void;
  /** To the room's chairs and the one who dialled: progress of a dial-out. */
  'phone:dial:state': (data: { requestId: string; extension: string; state: DialState; reason: string | null }) => void;
  /** To staff sockets (admin, chair, duty officer): gateway availability and registrations changed. */
  'sip:status': (status: SipStatus) => void;
}
