/**
 * The link up (上联) of a room to the prefecture's or province's conference:
 * the gateway dials a configured SIP URI (optionally keying a PIN by DTMF)
 * and the far conference becomes one participant of the room, the "upstream"
 * (上级会场). The chair connects and disconnects it and mutes our side toward
 * it; everyone in the room sees its state.
 *
 *   idle ──connect──▶ dialling ──answered──▶ connected
 *    ▲                  │  ▲                    │ dropped (BYE, RTP timeout)
 *    │                  │  └──── back-off ───── redialling ◀──┘
 *    └── disconnect ────┴── (any state) ── too many tries ──▶ failed
 */
import { z } from 'zod';

export const UPSTREAM_STATES = ['idle', 'dialling', 'connected', 'redialling', 'failed'] as const;
export type UpstreamState = (typeof UPSTREAM_STATES)[number];

/** What the room sees of its link up. */
export interface UpstreamStatus {
  roomId: string;
  /** An upstream conference is configured for this deployment (BEACON_UPSTREAM_URI); false: nothing to connect. */
  configured: boolean;
  state: UpstreamState;
  /** Why the last attempt ended or failed (`busy`, `no_answer`, `rtp_timeout`, …); null while all is well. */
  reason: string | null;
  /** Our side muted toward the upstream: it hears comfort noise instead of the room. */
  sendMuted: boolean;
  /** Dial attempts since the chair connected or the link last came up. */
  attempts: number;
  /** When the next redial is due (ISO), while `redialling`. */
  redialAt: string | null;
  /**
   * The call up now came from the upstream (it dialled the meeting's number from a trusted peer address)
   * rather than being dialled by us; false while idle or dialling.
   */
  incoming: boolean;
}

/** To the gateway: dial the upstream conference into the room. */
export interface UpstreamDialRequest {
  requestId: string;
  roomId: string;
  /** `sip:number@host[:port]`; the call goes out through Beacon's Kamailio. */
  uri: string;
  /** Keyed by DTMF (SIP INFO) once answered, followed by `#`; null: none asked. */
  pin: string | null;
}

/** To the gateway: act on an upstream call in flight. */
export interface UpstreamControl {
  requestId: string;
  action: 'hangup' | 'mute' | 'unmute';
}

export const upstreamEventSchemas = {
  /** Chair of a room: link the room up to the configured upstream conference (redialled while wanted). */
  'upstream:connect': z.object({}),
  /** Chair: end the link (and stop redialling). */
  'upstream:disconnect': z.object({}),
  /** Chair: mute (or unmute) our side toward the upstream. */
  'upstream:mute': z.object({ muted: z.boolean() }),
  /** Anyone in a room: the link's status now (then `upstream:status` on each change). */
  'upstream:status': z.object({}),
} as const;

export interface UpstreamEventResults {
  'upstream:connect': UpstreamStatus;
  'upstream:disconnect': UpstreamStatus;
  'upstream:mute': UpstreamStatus;
  'upstream:status': UpstreamStatus;
}

export interface UpstreamServerEvents {
  /** To everyone in the room: its link up changed. */
  'upstream:status': (status: UpstreamStatus) => void;
  /** To the gateway: dial the upstream (progress comes back as `sip:dialState` with the request id). */
  'sip:upstream': (request: UpstreamDialRequest) => void;
  /** To the gateway: hang up, mute or unmute an upstream call. */
  'sip:upstream:control': (control: UpstreamControl) => void;
}

/** A SIP URI the gateway may dial upstream: user part and host[:port], nothing Kamailio or a header could misread. */
export const upstreamUriSchema = z
  .string()
  .regex(
    /^sips?:[0-9A-Za-z*#+._-]{1,64}@[0-9A-Za-z.-]{1,253}(:[0-9]{1,5})?$/,
    'a SIP URI sip:number@host[:port] (no parameters)',
  );

/** A conference PIN keyed by DTMF. */
export const upstreamPinSchema = z.string().regex(/^[0-9*]{1,16}$/, 'digits (and *) only, at most 16');
