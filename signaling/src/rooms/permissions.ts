/**
 * Who may do what: the one permission table, in two halves.
 *
 * ACCOUNT_PERMISSIONS: by account role, outside meetings (REST, the command
 * room, SIP status). A `department` account is bound to one department the
 * way a `township` account is bound to one township and gets nothing of the
 * city side: it signs in, joins meetings like a township (invited or open
 * rooms; audience in training rooms), sees its own department's terminals,
 * and reads and acknowledges the alerts, tasks and incidents addressed to its
 * department — never another department's or a township's (command/staff.ts
 * requireUnit; the desks answer `forbidden` or absent).
 *
 * PERMISSIONS: by meeting role, inside a meeting. Every client event of a
 * joined peer is checked against it (handlers name their action when they
 * look the peer up); a refusal is `forbidden` and changes nothing.
 *
 * The meeting role is not the account role: the first admin/chair account in
 * a room chairs it, later ones co-chair, duty officers and townships
 * participate, and view-only audience members only receive.
 */

import type { ClientEventName, commandEventSchemas, dutyCallEventSchemas, MeetingRole, Role } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { AuthClaims } from '../auth/tokens.ts';
import type { RoomKind } from '../store/index.ts';

const CITY: readonly Role[] = ['admin', 'chair', 'duty_officer'];

export const ACCOUNT_PERMISSIONS = {
  /** Create conference rooms (POST /rooms). */
  'room:create': CITY,
  /** Read conference PINs (staff hand them out; others see only the number). */
  'room:readPin': CITY,
  /** Attendance, chat history and recordings of meetings. */
  'records:read': CITY,
  /** Run the command room: incidents, warnings, tasks, video pull, emergency meetings. */
  'command:run': CITY,
  /** Join any room, members-only ones included (rooms/membership.ts). */
  'rooms:joinAny': CITY,
  /** See SIP phone registrations and gateway availability. */
  'sip:status': CITY,
  /** Dial a phone into a meeting whatever the meeting role (the city's duty desk). */
  'phone:dialAny': ['duty_officer', 'admin'],
  /** Every terminal (townships and departments see their own only). */
  'terminals:readAll': ['admin', 'chair', 'duty_officer', 'service'],
  /** The organisation under /api/v1/admin, SIP passwords, the audit log. */
  'org:administer': ['admin'],
  /** Read the duty roster, who is on duty, the duty log and handovers (the command room). */
  'duty:read': CITY,
  /** Write the duty log; start, hand over and accept shift handovers. */
  'duty:write': CITY,
  /** Edit the duty roster and import a month of it. */
  'duty:roster': ['admin', 'duty_officer'],
  /** Write emergency plans (应急预案); the whole city side reads them and starts responses. */
  'plans:edit': ['admin', 'duty_officer'],
} as const satisfies Record<string, readonly Role[]>;
export type AccountAction = keyof typeof ACCOUNT_PERMISSIONS;

export function accountMay(role: Role, action: AccountAction): boolean {
  return (ACCOUNT_PERMISSIONS[action] as readonly Role[]).includes(role);
}

/** Throws `forbidden` naming the action and the roles that may. */
export function requireAccount(claims: Pick<AuthClaims, 'role'>, action: AccountAction): void {
  if (accountMay(claims.role, action)) return;
  const who = ACCOUNT_PERMISSIONS[action].join(', ');
  throw BeaconError.forbidden(`无权执行 ${action}（仅限：${who}） / ${action} is for ${who}`);
}

/** Events that need no meeting role (they happen before or instead of having one). */
type RolelessEvent = 'room:join' | 'room:resume' | 'room:leave' | 'auth:renew';
/** The SIP gateway's service events: no room, checked by account role (socket/deviceAccess.ts). */
type ServiceEvent = Extract<ClientEventName, `sip:${string}`>;
/**
 * Command-room events (alerts, tasks, video pull): not room-scoped, checked by account role and
 * township in the command desks (command/staff.ts). A terminal acknowledges an
 * alert whether or not it is in a meeting.
 */
export type CommandEvent = keyof typeof commandEventSchemas;
/** Answering or declining a call to the duty number: staff accounts, checked in duty/DutyCalls.ts. */
export type DutyCallEvent = keyof typeof dutyCallEventSchemas;

/** Every other client event, plus `media:send` (a send transport or a producer). */
export type MeetingAction =
  | Exclude<ClientEventName, RolelessEvent | ServiceEvent | CommandEvent | DutyCallEvent>
  | 'media:send';

const CHAIR: readonly MeetingRole[] = ['chair'];
const MODERATORS: readonly MeetingRole[] = ['chair', 'cochair'];
const SENDERS: readonly MeetingRole[] = ['chair', 'cochair', 'participant'];
const EVERYONE: readonly MeetingRole[] = ['chair', 'cochair', 'participant', 'audience'];

export const PERMISSIONS: { readonly [A in MeetingAction]: readonly MeetingRole[] } = {
  'room:ready': EVERYONE,
  'transport:create': EVERYONE,
  'transport:connect': EVERYONE,
  'transport:restartIce': EVERYONE,
  'media:send': SENDERS,
  'producer:create': SENDERS,
  'producer:pause': SENDERS,
  'producer:resume': SENDERS,
  'producer:close': SENDERS,
  'consumer:resume': EVERYONE,
  'consumer:pause': EVERYONE,
  'consumer:setLayers': EVERYONE,
  'receive:settings': EVERYONE,
  'chat:send': EVERYONE,
  'speak:request': ['cochair', 'participant', 'audience'],
  'speak:cancel': ['cochair', 'participant', 'audience'],
  'speak:grant': MODERATORS,
  'speak:deny': MODERATORS,
  'moderation:mute': MODERATORS,
  'moderation:unmute': MODERATORS,
  'moderation:muteAll': MODERATORS,
  'moderation:remove': MODERATORS,
  'moderation:lock': MODERATORS,
  'rollcall:set': MODERATORS,
  'polling:start': MODERATORS,
  'polling:pause': MODERATORS,
  'polling:resume': MODERATORS,
  'polling:stop': MODERATORS,
  'moderation:end': CHAIR,
  'moderation:setRole': CHAIR,
  'moderation:setMode': CHAIR,
  'recording:start': CHAIR,
  'recording:stop': CHAIR,
  'material:present': MODERATORS,
  // A phone leg's plain-RTP mic is a mic like any other; its call state and the `#` count are harmless.
  'phone:media': SENDERS,
  'phone:video': SENDERS,
  'phone:view': EVERYONE,
  'phone:state': EVERYONE,
  'phone:count': EVERYONE,
  // Duty officer and admin accounts may dial too, whatever their meeting role (see phoneDial.ts).
  'phone:dial': MODERATORS,
  // The link up to the upstream conference (上联): moderators act, everyone sees its state.
  'upstream:connect': MODERATORS,
  'upstream:disconnect': MODERATORS,
  'upstream:mute': MODERATORS,
  'upstream:status': EVERYONE,
};

const ROLE_NAMES: Record<MeetingRole, string> = {
  chair: '主席 / chair',
  cochair: '副主席 / co-chair',
  participant: '参会者 / participant',
  audience: '观众 / audience',
};

export function isAllowed(role: MeetingRole, action: MeetingAction): boolean {
  return PERMISSIONS[action].includes(role);
}

/** Throws `forbidden` naming the action and who may do it. */
export function authorize(role: MeetingRole, action: MeetingAction): void {
  if (isAllowed(role, action)) return;
  const who = PERMISSIONS[action].map((r) => ROLE_NAMES[r]).join(', ');
  throw BeaconError.forbidden(`无权执行 ${action}（仅限：${who}） / ${action} is not allowed for ${role}`);
}

/** Accounts that chair (or co-chair) a meeting and may enter a locked one. */
export function isChairAccount(claims: AuthClaims): boolean {
  return claims.role === 'admin' || claims.role === 'chair';
}

/**
 * The meeting role of a new joiner. `hasChair`: the room already has a chair.
 * Audience when asked, or a township or department account joining a training room. The
 * account that opened an emergency room (a duty officer's one-click
 * 应急会商) chairs it like a chair account would.
 */
export function roleOnJoin(input: {
  claims: AuthClaims;
  audience: boolean;
  roomKind: RoomKind;
  hasChair: boolean;
  /** The room's creator (rooms.created_by). */
  createdBy?: string | null;
}): MeetingRole {
  if (input.audience) return 'audience';
  const opener = input.roomKind === 'emergency' && input.createdBy === input.claims.userId;
  if (isChairAccount(input.claims) || opener) return input.hasChair ? 'cochair' : 'chair';
  const unit = input.claims.role === 'township' || input.claims.role === 'department';
  if (unit && input.roomKind === 'training') return 'audience';
  return 'participant';
}
