/**
 * People and devices under /api/v1/admin: users, terminals and desk phones,
 * meeting rooms. What disabling does at once: a user's sockets close (and its
 * tokens are refused, authRoutes.ts), a phone leaves Kamailio's subscriber
 * table (the gateway resyncs), a room stops answering its dial number.
 */
import {
  type AdminUserView,
  BeaconError,
  type CreatedTerminal,
  createMeetingRoomSchema,
  createTerminalSchema,
  createUserSchema,
  isSipTerminalKind,
  type MeetingRoomView,
  membershipProblem,
  type TerminalAdminView,
  updateMeetingRoomSchema,
  updateTerminalSchema,
  updateUserSchema,
} from '@beacon/protocol';
import type { Router } from 'express';
import type { AccountSessions } from '../../auth/AccountSessions.ts';
import { assertPasswordAcceptable } from '../../auth/passwordPolicy.ts';
import { hashPassword } from '../../auth/passwords.ts';
import { randomSipPassword, sipHashes } from '../../auth/sipDigest.ts';
import { createLogger } from '../../logger.ts';
import type { SipBridge } from '../../sip/SipBridge.ts';
import type { Store, UserRecord } from '../../store/index.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { claimsOf, userView } from '../authRoutes.ts';
import { adminChange, registerKind } from './administeredKind.ts';
import { fieldError, newId, requireDepartment, requireTownship } from './orgRoutes.ts';

const logger = createLogger('admin');

/** Never the password hash: the audit log and the admin list are read by more people than the account's owner. */
const meetingRoomView = (r: MeetingRoomView): MeetingRoomView => ({
  id: r.id,
  title: r.title,
  kind: r.kind,
  dialNumber: r.dialNumber,
  pin: r.pin,
  enabled: r.enabled,
  createdAt: r.createdAt,
});

export const adminUserView = (u: UserRecord): AdminUserView => ({
  ...userView(u),
  phone: u.phone,
  enabled: u.enabled,
  createdAt: u.createdAt,
});

async function checkMembership(
  store: Store,
  u: { role: string; townshipId: string | null; departmentId: string | null },
): Promise<void> {
  const problem = membershipProblem(u);
  if (problem) throw fieldError(problem.field, problem.message);
  if (u.townshipId) await requireTownship(store, u.townshipId);
  if (u.departmentId) await requireDepartment(store, u.departmentId);
}

async function checkOwner(store: Store, t: { townshipId: string | null; departmentId: string | null }) {
  if ((t.townshipId === null) === (t.departmentId === null)) {
    throw fieldError('townshipId', '终端属于一个乡镇或一个部门 / give townshipId or departmentId, not both');
  }
  if (t.townshipId) await requireTownship(store, t.townshipId);
  if (t.departmentId) await requireDepartment(store, t.departmentId);
}

/** A loudspeaker's village must be enabled; its owner is the village's township. */
async function loudspeakerOwner(store: Store, villageId: string) {
  const village = await store.villages.get(villageId);
  if (!village?.enabled)
    throw fieldError('villageId', `没有启用的村/社区 ${villageId} / no enabled village "${villageId}"`);
  await requireTownship(store, village.townshipId);
  return { townshipId: village.townshipId, departmentId: null, villageId };
}

/** Terminals that register with Kamailio and so get SIP credentials. */
const ID_PREFIX: Record<string, string> = { sip_phone: 'ph', sip_video: 'sv', loudspeaker: 'ls' };

export function deviceRoutes(router: Router, deps: { store: Store; sip: SipBridge; accounts: AccountSessions }): void {
  const { store, sip, accounts } = deps;

  router.post('/admin/users', async (req, res) => {
    const { password, ...input } = parseOrBadRequest(createUserSchema, req.body);
    await checkMembership(store, input);
    assertPasswordAcceptable(password, input.username);
    // The admin chose it, so the user changes it at the first sign-in.
    const passwordHash = await hashPassword(password);
    const created = await adminChange(
      store,
      res,
      (tx) => tx.users.create({ ...input, id: newId('u'), passwordHash, mustChangePassword: true }),
      (user) => ({ action: 'admin.user.create', target: user.id, detail: { after: adminUserView(user) } }),
    );
    const after = adminUserView(created);
    res.status(201).json(after);
  });
  registerKind(router, store, {
    path: 'users',
    what: 'user',
    repo: (s) => ({ ...s.users, get: (id: string) => s.users.findById(id) }),
    patchSchema: updateUserSchema,
    view: adminUserView,
    prepare: async (before, patch) => {
      const role = patch.role ?? before.role;
      // Moving to a role of another unit kind drops the old unit unless the patch names one.
      const townshipId =
        patch.townshipId !== undefined ? patch.townshipId : role === 'township' ? before.townshipId : null;
      const departmentId = patch.departmentId !== undefined ? patch.departmentId : before.departmentId;
      await checkMembership(store, { role, townshipId, departmentId });
      return { ...patch, townshipId, departmentId };
    },
    changed: ({ before, after }, action) => {
      if (action === 'disable') {
        accounts.disabled(after.id);
        logger.info({ userId: after.id, username: after.username }, 'account disabled; closing its sockets');
        return;
      }
      // What a token says (role, unit) no longer holds: its sockets close and it must sign in again.
      const moved =
        before.role !== after.role ||
        before.townshipId !== after.townshipId ||
        before.departmentId !== after.departmentId;
      if (moved) accounts.changed(after.id);
    },
  });

  router.post('/admin/terminals', async (req, res) => {
    const parsed = parseOrBadRequest(createTerminalSchema, req.body);
    const input =
      parsed.kind === 'loudspeaker' && parsed.villageId
        ? { ...parsed, ...(await loudspeakerOwner(store, parsed.villageId)) }
        : parsed;
    if (input.kind !== 'loudspeaker') await checkOwner(store, input);
    const password = isSipTerminalKind(input.kind) && input.extension ? randomSipPassword() : null;
    const sipCredentials = password && input.extension ? sipHashes(input.extension, sip.realm, password) : undefined;
    // Never the SIP password in the audit; the admin sees it once, in this answer.
    const created = await adminChange(
      store,
      res,
      (tx) =>
        tx.terminals.create({
          ...input,
          id: newId(ID_PREFIX[input.kind] ?? 'vt'),
          ...(sipCredentials ? { sip: sipCredentials } : {}),
        }),
      (after) => ({ action: 'admin.terminal.create', target: after.id, detail: { after } }),
    );
    if (password) await phonesChanged(sip);
    const body: CreatedTerminal = {
      ...created,
      sip: password && created.extension ? { username: created.extension, password, realm: sip.realm } : null,
    };
    res.status(201).set('cache-control', 'no-store').json(body);
  });
  registerKind(router, store, {
    path: 'terminals',
    what: 'terminal',
    repo: (s) => s.terminals,
    patchSchema: updateTerminalSchema,
    view: (t: TerminalAdminView) => t,
    prepare: async (before, patch) => {
      if (before.kind === 'loudspeaker') {
        if (patch.townshipId !== undefined || patch.departmentId !== undefined) {
          throw fieldError('villageId', '广播随村/社区归属乡镇 / a loudspeaker moves with villageId, not townshipId');
        }
        return patch.villageId !== undefined
          ? { ...patch, ...(await loudspeakerOwner(store, patch.villageId)) }
          : patch;
      }
      const ownerChanged = patch.townshipId !== undefined || patch.departmentId !== undefined;
      if (!ownerChanged) return patch;
      // Naming one owner replaces the other.
      const townshipId =
        patch.townshipId !== undefined ? patch.townshipId : patch.departmentId ? null : before.townshipId;
      const departmentId =
        patch.departmentId !== undefined ? patch.departmentId : patch.townshipId ? null : before.departmentId;
      await checkOwner(store, { townshipId, departmentId });
      return { ...patch, townshipId, departmentId };
    },
    changed: async ({ after }) => {
      if (isSipTerminalKind(after.kind)) await phonesChanged(sip);
    },
  });

  router.post('/admin/rooms', async (req, res) => {
    const input = parseOrBadRequest(createMeetingRoomSchema, req.body);
    // Checked here for the coded answer naming the field; the store's unique indexes stay the last word.
    const rooms = await store.rooms.list();
    if (rooms.some((r) => r.id === input.id))
      throw BeaconError.conflict('id', `会议室“${input.id}”已存在 / room id is taken`);
    if (input.dialNumber && rooms.some((r) => r.dialNumber === input.dialNumber)) {
      throw BeaconError.conflict('dialNumber', `会议号“${input.dialNumber}”已被使用 / dialNumber is taken`);
    }
    const created = meetingRoomView(
      await adminChange(
        store,
        res,
        (tx) =>
          tx.rooms.create({ ...input, createdBy: claimsOf(res).userId, dialNumber: input.dialNumber, pin: input.pin }),
        (room) => ({ action: 'admin.room.create', target: room.id, detail: { after: meetingRoomView(room) } }),
      ),
    );
    res.status(201).json(created);
  });
  registerKind(router, store, {
    path: 'rooms',
    what: 'room',
    repo: (s) => s.rooms,
    patchSchema: updateMeetingRoomSchema,
    view: meetingRoomView,
  });
}

/**
 * Phones added, moved, renumbered, disabled or enabled: the bridge's phone
 * list is reread and every gateway resyncs Kamailio's subscriber table, so a
 * disabled phone's next REGISTER is refused.
 */
async function phonesChanged(sip: SipBridge): Promise<void> {
  await sip.loadPhones();
  sip.credentialsChanged();
}
