/**
 * Incidents (事件): report, move through the status workflow
 * (INCIDENT_TRANSITIONS; an illegal move is `invalid_transition` and changes
 * nothing), notes with optional snapshots. Every action is audited and
 * lands on the incident's timeline.
 */
import { randomUUID } from 'node:crypto';
import {
  BeaconError,
  type CreateIncidentRequest,
  INCIDENT_TRANSITIONS,
  type IncidentStatus,
  type IncidentView,
  type TimelineEntry,
} from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import { addresseeName, enabledDepartmentIds } from './addressees.ts';
import type { Actor, CommandBus } from './CommandBus.ts';
import { nearestTownship } from './geo/affectedTownships.ts';
import { requireStaff } from './staff.ts';

const logger = createLogger('IncidentDesk');
const JPEG_PREFIX = 'data:image/jpeg;base64,';
/** SOI marker: a data URL that does not decode to a JPEG is refused. */
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

export class IncidentDesk {
  readonly #bus: CommandBus;

  constructor(bus: CommandBus) {
    this.#bus = bus;
  }

  async get(id: string): Promise<IncidentView> {
    const incident = await this.#bus.store.incidents.get(id);
    if (!incident) throw BeaconError.notFound('incident');
    return incident;
  }

  async create(actor: Actor, input: CreateIncidentRequest): Promise<IncidentView> {
    requireStaff(actor);
    const { store } = this.#bus;
    const townshipId = input.townshipId ?? nearestTownship(input.location, await store.townships.list());
    if (townshipId !== null && !(await store.townships.get(townshipId))) {
      throw BeaconError.badRequest('unknown township');
    }
    const departmentIds = await enabledDepartmentIds(store, input.departmentIds);
    const at = new Date().toISOString();
    const incident = await this.#bus.audited(
      actor,
      (tx) =>
        tx.incidents.create({
          id: randomUUID(),
          type: input.type,
          level: input.level,
          title: input.title,
          description: input.description,
          reporter: input.reporter,
          townshipId,
          location: input.location,
          status: 'reported',
          createdAt: at,
          createdBy: actor.userId,
          updatedAt: at,
          departmentIds,
        }),
      (after) => ({ action: 'incident.create', target: after.id, detail: { after } }),
    );
    await this.#bus.note(actor, { incidentId: incident.id, kind: 'created', text: incident.title, data: null });
    this.#bus.emit('incident', incident);
    logger.info({ incidentId: incident.id, type: incident.type, level: incident.level }, 'incident reported');
    return incident;
  }

  async changeStatus(
    actor: Actor,
    id: string,
    input: { status: IncidentStatus; note?: string | undefined },
  ): Promise<IncidentView> {
    requireStaff(actor);
    const before = await this.get(id);
    if (!INCIDENT_TRANSITIONS[before.status].includes(input.status)) {
      throw new BeaconError(
        'invalid_transition',
        `事件状态不能从 ${before.status} 变为 ${input.status} / cannot move from ${before.status} to ${input.status}`,
      );
    }
    const at = new Date().toISOString();
    const after = await this.#bus.audited(
      actor,
      async (tx) => {
        await tx.incidents.setStatus(id, input.status, at);
        return (await tx.incidents.get(id)) as IncidentView;
      },
      (now) => ({ action: 'incident.status', target: id, detail: { before: before.status, after: now.status } }),
    );
    const text = input.note
      ? `${before.status} → ${after.status}: ${input.note}`
      : `${before.status} → ${after.status}`;
    await this.#bus.note(actor, {
      incidentId: id,
      kind: 'status',
      text,
      data: { from: before.status, to: after.status },
    });
    this.#bus.emit('incident', after);
    logger.info({ incidentId: id, from: before.status, to: after.status }, 'incident status changed');
    return after;
  }

  /** Replaces the departments involved (部门联动); their accounts see the incident from now on. */
  async setDepartments(actor: Actor, id: string, departmentIds: string[]): Promise<IncidentView> {
    requireStaff(actor);
    const before = await this.get(id);
    const after = await enabledDepartmentIds(this.#bus.store, departmentIds);
    await this.#bus.audited(
      actor,
      (tx) => tx.incidents.setDepartments(id, after, new Date().toISOString()),
      () => ({ action: 'incident.departments', target: id, detail: { before: before.departmentIds, after } }),
    );
    const incident = await this.get(id);
    const names = await Promise.all(after.map((d) => addresseeName(this.#bus.store, { kind: 'department', id: d })));
    await this.#bus.note(actor, {
      incidentId: id,
      kind: 'note',
      text: `参与部门：${names.join('、') || '无'}`,
      data: { departmentIds: after },
    });
    this.#bus.emit('incident', incident);
    return incident;
  }

  async addNote(
    actor: Actor,
    id: string,
    input: { text: string; snapshot?: string | undefined },
  ): Promise<TimelineEntry> {
    requireStaff(actor);
    await this.get(id);
    let snapshot: Buffer | undefined;
    if (input.snapshot !== undefined) {
      snapshot = Buffer.from(input.snapshot.slice(JPEG_PREFIX.length), 'base64');
      if (!snapshot.subarray(0, 3).equals(JPEG_MAGIC)) throw BeaconError.badRequest('snapshot is not a JPEG image');
    }
    const entry = await this.#bus.audited(
      actor,
      (tx) =>
        tx.incidents.addTimeline({
          incidentId: id,
          kind: snapshot ? 'snapshot' : 'note',
          text: input.text,
          data: null,
          ...(snapshot ? { snapshot } : {}),
          actorId: actor.userId,
          actorName: actor.displayName,
        }),
      (e) => ({ action: 'incident.note', target: id, detail: { entryId: e.id, snapshotBytes: snapshot?.length ?? 0 } }),
    );
    this.#bus.emit('timeline', entry);
    return entry;
  }

  async snapshot(id: string, entryId: number): Promise<Buffer> {
    const jpeg = await this.#bus.store.incidents.snapshot(id, entryId);
    if (!jpeg) throw BeaconError.notFound('snapshot');
    return jpeg;
  }
}
