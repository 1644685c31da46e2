/**
 * Meeting control (the chair's tools): roles, chair controls, roll call, polling, speak
 * requests, chat, broadcast mode, recording, receive settings, reconnect.
 * Browser-safe: only zod. Merged into `clientEventSchemas` in events.ts.
 *
 * Every control change is followed by a `room:state` snapshot to everyone in
 * the room (simple for clients: render the snapshot), and `peer:updated` goes
 * to everyone INCLUDING the peer it is about (so a participant sees that the
 * chair muted it).
 */
import { z } from 'zod';
import type { IceServer } from './events.ts';
import { materialPresentSchema, type Presentation } from './meetingMinutes.ts';
import { MEETING_MODES, MEETING_ROLES, type MeetingMode } from './vocabulary.ts';

const id = z.string().min(1).max(128);

export const meetingRoleSchema = z.enum(MEETING_ROLES);
export const meetingModeSchema = z.enum(MEETING_MODES);

/** Who muted a mic or camera: the participant itself, or the chair (or co-chair). */
export type MutedBy = 'self' | 'chair' | null;

export type ConnectionState = 'connected' | 'reconnecting';

export interface SpeakRequest {
  peerId: string;
  displayName: string;
  at: string;
}

export interface PollingState {
  peerIds: string[];
  intervalSeconds: number;
  /** Index in `peerIds` of the township on the main view now. */
  index: number;
  paused: boolean;
}

/** The room's control state; sent whole as `room:state` after every change and in the room:join ack. */
export interface RoomState {
  mode: MeetingMode;
  /** In broadcast mode the only sender (null: the chair). */
  presenterPeerId: string | null;
  locked: boolean;
  /** The main view for everyone: roll call, polling, a granted speaker or a screen share; null = active speaker. */
  spotlightPeerId: string | null;
  /** Why the spotlight is where it is (for the banner). */
  spotlightReason: 'rollcall' | 'polling' | 'speak' | 'screen' | null;
  polling: PollingState | null;
  speakQueue: SpeakRequest[];
  recording: { recordingId: string; startedAt: string } | null;
  /** A material the chair presents page by page: everyone's main view shows the page (absent/null: none). */
  presentation?: Presentation | null;
}

export interface ChatMessage {
  id: number;
  roomId: string;
  userId: string;
  displayName: string;
  text: string;
  at: string;
}

export interface RecordingView {
  id: string;
  roomId: string;
  meetingId: number | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  /** Bytes on disk once finished. */
  size: number | null;
  status: 'recording' | 'ready' | 'failed';
}

export interface AttendanceRow {
  userId: string;
  displayName: string;
  townshipId: string | null;
  /** Every join/leave interval of this user in the meeting. */
  intervals: { joinedAt: string; leftAt: string | null }[];
  totalMinutes: number;
}

export const meetingEventSchemas = {
  /** Chair/co-chair: mute a peer's mic (audio) or stop its camera (video). */
  'moderation:mute': z.object({ peerId: id, kind: z.enum(['audio', 'video']) }),
  /** Chair/co-chair: open the mic of a managed township terminal (others: forbidden). */
  'moderation:unmute': z.object({ peerId: id }),
  /** Chair/co-chair: mute every mic except the chair's. */
  'moderation:muteAll': z.object({}),
  /** Chair/co-chair: remove a participant (its client gets `room:removed`). */
  'moderation:remove': z.object({ peerId: id }),
  /** Chair/co-chair: lock (new joins refused with `room_locked`) or unlock. */
  'moderation:lock': z.object({ locked: z.boolean() }),
  /** Chair: end the meeting for everyone (`room:ended`). */
  'moderation:end': z.object({}),
  /** Chair: hand chairing to someone else, or name/unname a co-chair. */
  'moderation:setRole': z.object({ peerId: id, role: z.enum(['chair', 'cochair', 'participant']) }),
  /** Chair: switch meeting ⇄ broadcast (training) mode; presenter defaults to the chair. */
  'moderation:setMode': z.object({ mode: meetingModeSchema, presenterPeerId: id.optional() }),

  /** Roll call (点名): spotlight one peer and open its mic; `peerId: null` ends it. */
  'rollcall:set': z.object({ peerId: id.nullable() }),
  /** Polling (轮巡) over the given peers every N ≥ 5 seconds. */
  'polling:start': z.object({
    peerIds: z.array(id).min(1).max(200),
    intervalSeconds: z.number().int().min(5).max(3600),
  }),
  'polling:pause': z.object({}),
  'polling:resume': z.object({}),
  'polling:stop': z.object({}),

  /** Speak request (申请发言): participants raise/cancel; chair grants (opens mic + spotlight) or denies. */
  'speak:request': z.object({}),
  'speak:cancel': z.object({}),
  'speak:grant': z.object({ peerId: id }),
  'speak:deny': z.object({ peerId: id }),

  'chat:send': z.object({ text: z.string().trim().min(1).max(2000) }),

  'recording:start': z.object({}),
  'recording:stop': z.object({}),

  /** Chair: present a material of the room's booked meeting at a page (null: stop presenting). */
  'material:present': materialPresentSchema,

  /** Receive side: pause/resume one consumer (hidden tile) and choose its simulcast layers. */
  'consumer:pause': z.object({ consumerId: id }),
  'consumer:setLayers': z.object({
    consumerId: id,
    spatialLayer: z.number().int().min(0).max(2),
    temporalLayer: z.number().int().min(0).max(2).optional(),
  }),
  /** Weak link: receive audio only, or cap every video to a spatial layer. */
  'receive:settings': z.object({ audioOnly: z.boolean(), maxSpatialLayer: z.number().int().min(0).max(2) }),

  /** Reconnect: new ICE parameters for a transport after the network came back. */
  'transport:restartIce': z.object({ transportId: id }),
  /** Reconnect: a new socket takes over a peer that is still `reconnecting` (within 30 s). */
  'room:resume': z.object({ roomId: z.string().min(1).max(64), peerId: id, resumeToken: z.string().min(16).max(256) }),
} as const;

export interface MeetingEventResults {
  'moderation:mute': Record<string, never>;
  'moderation:unmute': Record<string, never>;
  'moderation:muteAll': { muted: number };
  'moderation:remove': Record<string, never>;
  'moderation:lock': Record<string, never>;
  'moderation:end': Record<string, never>;
  'moderation:setRole': Record<string, never>;
  'moderation:setMode': Record<string, never>;
  'rollcall:set': Record<string, never>;
  'polling:start': Record<string, never>;
  'polling:pause': Record<string, never>;
  'polling:resume': Record<string, never>;
  'polling:stop': Record<string, never>;
  'speak:request': Record<string, never>;
  'speak:cancel': Record<string, never>;
  'speak:grant': Record<string, never>;
  'speak:deny': Record<string, never>;
  'chat:send': ChatMessage;
  'recording:start': { recordingId: string };
  'recording:stop': RecordingView;
  'material:present': { pages: number };
  'consumer:pause': Record<string, never>;
  'consumer:setLayers': Record<string, never>;
  'receive:settings': Record<string, never>;
  /** `iceServers` (TURN on): fresh credentials for `transport.updateIceServers` before the restart. */
  'transport:restartIce': { iceParameters: unknown; iceServers?: IceServer[] };
  /** Media must be set up again only when `mediaLost` (the transports are gone). */
  'room:resume': { peerId: string; mediaLost: boolean; state: RoomState; peers: unknown[] };
}

export interface MeetingServerEvents {
  'room:state': (state: RoomState) => void;
  'room:removed': (data: { reason: string }) => void;
  'room:ended': (data: { by: string }) => void;
  'chat:message': (message: ChatMessage) => void;
  /** To the requester only: the chair's answer. */
  'speak:result': (data: { granted: boolean }) => void;
  /** The server changed which simulcast layer a consumer gets (loss, caps). */
  'consumer:layers': (data: { consumerId: string; spatialLayer: number | null; temporalLayer: number | null }) => void;
}
