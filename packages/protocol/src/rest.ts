/**
 * REST shapes under /api/v1. Error responses are `{ error: { code, message } }`
 * with a matching HTTP status. Browser-safe: only zod.
 */
import { z } from 'zod';
import type { Role } from './events.ts';
import { roomIdSchema } from './events.ts';
import { ROOM_KINDS, type RoomKind, type TerminalKind, type TownshipKind } from './vocabulary.ts';

export const loginRequestSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  townshipId: string | null;
  /** The department a `department` account speaks for (others may belong to one too). */
  departmentId: string | null;
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  user: UserView;
  /** True: the password was chosen by someone else; every request but changing it is refused until it changes. */
  passwordChangeRequired: boolean;
}

/** GET /api/v1/auth/info (no token needed): what the sign-in page shows about this deployment. */
export interface AuthInfo {
  /** BEACON_DEMO=on: the demo city with published passwords, for trying Beacon out only. */
  demo: boolean;
}

/** POST /api/v1/auth/password: the signed-in user's own password. */
export const changePasswordRequestSchema = z.object({
  currentPassword: z.string().min(1).max(256),
  newPassword: z.string().min(1).max(256),
});
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

/** POST /api/v1/admin/users/:id/password: a temporary password, or none for a random one. */
export const resetPasswordRequestSchema = z.object({ password: z.string().min(1).max(256).optional() }).strict();
export type ResetPasswordRequest = z.infer<typeof resetPasswordRequestSchema>;

export interface ResetPasswordResponse {
  /** The random password when none was given (shown once, never stored in clear); null when the admin chose it. */
  password: string | null;
  mustChangePassword: true;
}

export interface TownshipView {
  id: string;
  name: string;
  nameEn: string;
  kind: TownshipKind;
  lat: number;
  lon: number;
  /** Coordinates are approximate (demo data), not survey-grade. */
  approximate: boolean;
}

export interface TerminalView {
  id: string;
  /** The owner: a township or a department (exactly one of the two is set). */
  townshipId: string | null;
  departmentId: string | null;
  kind: TerminalKind;
  name: string;
  extension: string | null;
  /** The village a loudspeaker serves (its owner is then the village's township); null for every other kind. */
  villageId?: string | null;
}

export interface RoomView {
  id: string;
  title: string;
  kind: RoomKind;
  createdAt: string;
  createdBy: string | null;
  /** Live participant count on this signaling node. */
  participants: number;
  /** What a desk phone dials to enter the room (6001…). */
  dialNumber: string | null;
  /** Conference PIN; shown to admin, chair and duty officer only (null for others, and when no PIN is asked). */
  pin: string | null;
}

/**
 * GET /api/v1/media/capabilities: the media routers' RTP capabilities as the
 * node last saw them (every router has the same codecs). A console loads its
 * mediasoup Device with them while it connects and joins, instead of after
 * the join; the join's own capabilities still decide (a mismatch loads again).
 */
export interface MediaCapabilitiesView {
  /** Null until the node's first room has started (the console then loads its Device after the join). */
  routerRtpCapabilities: unknown | null;
}

export const createRoomRequestSchema = z.object({
  id: roomIdSchema,
  title: z.string().min(1).max(200),
  kind: z.enum(ROOM_KINDS).default('meeting'),
});
export type CreateRoomRequest = z.infer<typeof createRoomRequestSchema>;

/** One meeting of a room: it runs while the room has people (or until the chair ends it). */
export interface MeetingView {
  id: number;
  roomId: string;
  startedAt: string;
  endedAt: string | null;
}
