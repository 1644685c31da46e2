/**
 * Emergency meeting in one click (一键应急会商): a new emergency room titled
 * after the incident or warning, its creator chairs it (rooms/permissions.ts
 * roleOnJoin), the concerned townships' and departments' terminals are told to
 * join and their desk phones and SIP video terminals (with video) are dialled
 * in through the SIP gateway.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '../logger.ts';
import { dialRequestFor } from '../sip/dialRequest.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import { enabledDepartmentIds } from './addressees.ts';
import type { Actor, CommandBus } from './CommandBus.ts';
import { requireStaff } from './staff.ts';

const logger = createLogger('EmergencyMeeting');

export interface EmergencyMeetingResult {
  roomId: string;
  invitedTownshipIds: string[];
  invitedDepartmentIds: string[];
  /** Extensions the gateway was asked to dial (none when no gateway, here or on another node, can take calls). */
  dialled: string[];
}

export class EmergencyMeeting {
  readonly #bus: CommandBus;
  readonly #sip: SipBridge;

  constructor(opts: { bus: CommandBus; sip: SipBridge }) {
    this.#bus = opts.bus;
    this.#sip = opts.sip;
  }

  async start(
    actor: Actor,
    input: {
      title: string;
      townshipIds: string[];
      departmentIds?: string[];
      incidentId: string | null;
      source: Record<string, string>;
    },
  ): Promise<EmergencyMeetingResult> {
    requireStaff(actor);
    const { store } = this.#bus;
    // Checked before the room exists: a disabled department refuses the whole meeting, nothing is created.
    const departmentIds = await enabledDepartmentIds(store, input.departmentIds ?? []);
    const townshipIds = [...new Set(input.townshipIds)];
    // The room, its members and the entry that records whom it was opened for commit together (migration 9 reads
    // `townshipIds` back from this entry); whom the SIP gateway dialled follows in its own entry.
    const room = await this.#bus.audited(
      actor,
      async (tx) => {
        const created = await tx.rooms.create({
          id: `emergency-${randomUUID().slice(0, 8)}`,
          title: input.title.slice(0, 200),
          kind: 'emergency',
          createdBy: actor.userId,
        });
        // An emergency meeting admits staff and the townships and departments it was opened for (rooms/membership.ts).
        await tx.roomMembers.restrict(created.id, [
          ...townshipIds.map((id) => ({ kind: 'township' as const, id })),
          ...departmentIds.map((id) => ({ kind: 'department' as const, id })),
        ]);
        return created;
      },
      (created) => ({
        action: 'meeting.emergency',
        target: created.id,
        detail: { ...input.source, townshipIds, departmentIds },
      }),
    );
    this.#bus.emit('invite', { townshipIds, departmentIds, roomId: room.id, title: room.title, by: actor.displayName });
    const dialled: string[] = [];
    // A gateway on this node or, in a cluster, on another (the bridge relays the dial there).
    const canCall = this.#sip.canCall;
    if (canCall) {
      const phones = [
        ...(await Promise.all(townshipIds.map((id) => store.terminals.listByTownship(id)))),
        ...(await Promise.all(departmentIds.map((id) => store.terminals.listByDepartment(id)))),
      ].flat();
      for (const phone of phones) {
        // Desk phones, and SIP video terminals (called with video): never a loudspeaker.
        if ((phone.kind !== 'sip_phone' && phone.kind !== 'sip_video') || phone.extension === null) continue;
        // No dialler socket (a REST call): progress goes to the room's chairs only.
        const request = this.#sip.dial(await dialRequestFor(store, room.id, phone.extension), `rest:${actor.userId}`);
        if (request) dialled.push(phone.extension);
      }
    }
    if (canCall) await this.#bus.audit(actor, 'meeting.emergency.dial', room.id, { dialled });
    if (input.incidentId) {
      await this.#bus.note(actor, {
        incidentId: input.incidentId,
        kind: 'meeting',
        text: `应急会商：${room.title}（${townshipIds.length} 个乡镇、${departmentIds.length} 个部门）`,
        data: { roomId: room.id, townshipIds, departmentIds },
      });
    }
    logger.info(
      { roomId: room.id, townships: townshipIds.length, departments: departmentIds.length, dialled: dialled.length },
      'emergency meeting',
    );
    return { roomId: room.id, invitedTownshipIds: townshipIds, invitedDepartmentIds: departmentIds, dialled };
  }
}
