/**
 * The socket.io protocol, declared once as zod schemas with inferred types.
 * Signaling validates every payload with these; the console and the SIP
 * gateway import the same types. Browser-safe: only zod.
 *
 * Join flow:
 *   room:join → (router RTP capabilities) → transport:create ×2 →
 *   transport:connect → producer:create → room:ready (client RTP caps) →
 *   server pushes consumer:new for every remote producer → consumer:resume.
 */
import { z } from 'zod';
import type { CameraServerEvents } from './cameras.ts';
import { type CommandEventResults, type CommandServerEvents, commandEventSchemas } from './command.ts';
import {
  type DutyCallEventResults,
  type DutyCallServerEvents,
  type DutyServerEvents,
  dutyCallEventSchemas,
} from './duty.ts';
import type { Ack, ErrorBody } from './errors.ts';
import type { LoudspeakerServerEvents } from './loudspeakers.ts';
import {
  type ChatMessage,
  type ConnectionState,
  type MeetingEventResults,
  type MeetingServerEvents,
  type MutedBy,
  meetingEventSchemas,
  type RoomState,
} from './meeting.ts';
import type { BookingServerEvents } from './meetingBookings.ts';
import type { PlanServerEvents } from './plans.ts';
import type { ReportServerEvents } from './reports.ts';
import type { ResourceServerEvents } from './resources.ts';
import { type PhoneInfo, type SipEventResults, type SipServerEvents, sipEventSchemas } from './sip.ts';
import type { SmsServerEvents } from './sms.ts';
import type { StationServerEvents } from './stations.ts';
import { type UpstreamEventResults, type UpstreamServerEvents, upstreamEventSchemas } from './upstream.ts';
import {
  type AccountRole,
  MEDIA_SOURCES,
  type MediaSource,
  type MeetingRole,
  ROOM_ID_MAX_LENGTH,
  ROOM_ID_PATTERN,
} from './vocabulary.ts';

const id = z.string().min(1).max(128);
export const roomIdSchema = z
  .string()
  .min(1)
  .max(ROOM_ID_MAX_LENGTH)
  .regex(ROOM_ID_PATTERN, 'room id: lowercase letters, digits and dashes');

// mediasoup validates these deeply; we check the shape that matters and let
// the rest through so new mediasoup fields do not break clients.
const dtlsParameters = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z.array(z.looseObject({ algorithm: z.string().min(1), value: z.string().min(1) })).min(1),
});
const rtpParameters = z.looseObject({
  mid: z.string().optional(),
  codecs: z
    .array(z.looseObject({ mimeType: z.string().min(1), payloadType: z.number().int(), clockRate: z.number().int() }))
    .min(1),
  encodings: z.array(z.looseObject({})).optional(),
  headerExtensions: z.array(z.looseObject({})).optional(),
  rtcp: z.looseObject({}).optional(),
});
const rtpCapabilities = z.looseObject({
  codecs: z.array(z.looseObject({ mimeType: z.string().min(1), kind: z.enum(['audio', 'video']) })).optional(),
  headerExtensions: z.array(z.looseObject({})).optional(),
});

export const mediaSourceSchema = z.enum(MEDIA_SOURCES);

/** Client → server payload schemas, keyed by event name. */
export const clientEventSchemas = {
  /** `audience: true` joins view-only (no send transport), e.g. a training broadcast. */
  'room:join': z.object({ roomId: roomIdSchema, audience: z.boolean().optional() }),
  'room:leave': z.object({}),
  'room:ready': z.object({ rtpCapabilities }),
  /** A renewed token (POST /api/v1/auth/renew) for this socket: it then lives until the new one expires. */
  'auth:renew': z.object({ token: z.string().min(1).max(4096) }),
  'transport:create': z.object({ direction: z.enum(['send', 'recv']) }),
  'transport:connect': z.object({ transportId: id, dtlsParameters }),
  'producer:create': z.object({
    transportId: id,
    kind: z.enum(['audio', 'video']),
    rtpParameters,
    source: mediaSourceSchema,
  }),
  'producer:pause': z.object({ producerId: id }),
  'producer:resume': z.object({ producerId: id }),
  'producer:close': z.object({ producerId: id }),
  'consumer:resume': z.object({ consumerId: id }),
  ...meetingEventSchemas,
  ...sipEventSchemas,
  ...commandEventSchemas,
  ...dutyCallEventSchemas,
  ...upstreamEventSchemas,
} as const;

export type ClientEventName = keyof typeof clientEventSchemas;
export type ClientPayload<E extends ClientEventName> = z.infer<(typeof clientEventSchemas)[E]>;

/** An account's role (vocabulary.ts ACCOUNT_ROLES). */
export type Role = AccountRole;

export interface PeerInfo {
  peerId: string;
  userId: string;
  displayName: string;
  role: Role;
  townshipId: string | null;
  /** True when the peer has no live (unpaused) producer of that kind. */
  audioMuted: boolean;
  videoMuted: boolean;
  /** Who muted it, when muted: shown in the UI ("muted by the chair" vs by themselves). */
  audioMutedBy: MutedBy;
  videoMutedBy: MutedBy;
  meetingRole: MeetingRole;
  /** Sharing a screen or document (a second video producer, source 'screen'). */
  screenSharing: boolean;
  /** 'reconnecting' while the socket is gone but the 30 s grace has not run out. */
  connection: ConnectionState;
  joinedAt: string;
  /** A browser (console, terminal), a desk phone bridged by the SIP gateway, or a GB/T 28181 camera the chair added. */
  device: 'browser' | 'phone' | 'camera';
  /** Set for phones: extension and call state. */
  phone: PhoneInfo | null;
}

/** A TURN server as RTCPeerConnection takes it (`RTCIceServer`), with a short-lived credential. */
export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

/** GET /api/v1/ice-servers: empty when TURN is off. */
export interface IceServersResponse {
  iceServers: IceServer[];
}

export interface TransportParams {
  id: string;
  direction: 'send' | 'recv';
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
  /** Present when the node runs TURN (BEACON_TURN=on): pass to createSend/RecvTransport. */
  iceServers?: IceServer[];
}

export interface ConsumerParams {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  rtpParameters: unknown;
}

/** What each client event's ack carries on success. */
interface BaseEventResults {
  'room:join': {
    peerId: string;
    roomId: string;
    routerRtpCapabilities: unknown;
    peers: PeerInfo[];
    self: PeerInfo;
    state: RoomState;
    /** The room's chat so far (oldest first, the last 200). */
    chat: ChatMessage[];
    /** Secret for `room:resume` after a network drop. */
    resumeToken: string;
  };
  'room:leave': Record<string, never>;
  'room:ready': { consumers: number };
  /** When the socket now closes (the new token's expiry, ISO). */
  'auth:renew': { expiresAt: string };
  'transport:create': TransportParams;
  'transport:connect': Record<string, never>;
  'producer:create': { producerId: string };
  'producer:pause': Record<string, never>;
  'producer:resume': Record<string, never>;
  'producer:close': Record<string, never>;
  'consumer:resume': Record<string, never>;
}

export interface ClientEventResults
  extends BaseEventResults,
    MeetingEventResults,
    SipEventResults,
    CommandEventResults,
    DutyCallEventResults,
    UpstreamEventResults {}

/** Server → client events. */
export interface ServerToClientEvents
  extends MeetingServerEvents,
    SipServerEvents,
    CommandServerEvents,
    DutyServerEvents,
    DutyCallServerEvents,
    ReportServerEvents,
    PlanServerEvents,
    StationServerEvents,
    ResourceServerEvents,
    BookingServerEvents,
    SmsServerEvents,
    LoudspeakerServerEvents,
    CameraServerEvents,
    UpstreamServerEvents {
  'peer:joined': (peer: PeerInfo) => void;
  'peer:left': (data: { peerId: string }) => void;
  'peer:updated': (peer: PeerInfo) => void;
  'consumer:new': (data: ConsumerParams) => void;
  'consumer:closed': (data: { consumerId: string }) => void;
  'consumer:paused': (data: { consumerId: string }) => void;
  'consumer:resumed': (data: { consumerId: string }) => void;
  'speaker:active': (data: { peerId: string | null }) => void;
  /** The room's media was lost (worker died) and re-created: join again. */
  'room:recreated': (data: { roomId: string }) => void;
  /** The server is closing this socket, and why (`rate_limited`: it sent or left unread too much); it disconnects next. */
  'session:closed': (reason: ErrorBody) => void;
}

export type ClientToServerEvents = {
  [E in ClientEventName]: (payload: ClientPayload<E>, ack: (res: Ack<ClientEventResults[E]>) => void) => void;
};
