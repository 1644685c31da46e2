/**
 * Emergency resources (应急资源) over REST. Admins keep them under
 * /api/v1/admin/{teams,depots,shelters,experts} (list, read, create, PATCH,
 * disable/enable, like the organisation) and import them from XLSX
 * (/api/v1/admin/resources/import). Staff read them for the map
 * (GET /api/v1/resources), ask for the nearest to an incident
 * (GET /api/v1/incidents/:id/nearest) and dispatch a team as a task
 * (POST /api/v1/teams/:id/dispatch).
 */
import { z } from 'zod';
import type { ImportKindCounts, ImportRowError } from './adminImport.ts';
import type { TaskView } from './command.ts';
import {
  DEPOT_MAX_ITEMS,
  type DepotItem,
  NEAREST_DEFAULT,
  NEAREST_MAX,
  type ResourceKind,
  TEAM_KINDS,
  TEAM_STATUSES,
  type TeamKind,
  type TeamStatus,
} from './resourceVocabulary.ts';
import { PHONE_LINE_PATTERN } from './vocabulary.ts';

const name = z.string().trim().min(1).max(100);
const optionalText = z.string().trim().max(100).nullable();
const unitId = z.string().min(1).max(64);
const lat = z.number().min(-90).max(90);
const lon = z.number().min(-180).max(180);
const phone = z.string().regex(PHONE_LINE_PATTERN, '电话号码 / digits and dashes');
const count = z.number().int().min(0).max(10_000_000);
const ONE_OWNER = {
  message: '须属于一个乡镇或一个部门 / belongs to exactly one township or department',
  path: ['townshipId'],
};
const oneOwner = (v: { townshipId?: string | null; departmentId?: string | null }) =>
  (v.townshipId == null) !== (v.departmentId == null);

// ---- rescue teams (救援队伍) --------------------------------------------------------------------

/** Where a team is now: the task it was sent on, for which incident, since when. */
export interface TeamDispatchView {
  taskId: string;
  incidentId: string;
  at: string;
}

export interface TeamView {
  id: string;
  name: string;
  kind: TeamKind;
  headcount: number;
  leaderName: string | null;
  leaderPhone: string | null;
  /** The unit the team belongs to (exactly one): a task dispatching the team goes to it. */
  townshipId: string | null;
  departmentId: string | null;
  /** The team's base (驻地). */
  lat: number;
  lon: number;
  status: TeamStatus;
  /** The open dispatch while deployed; null otherwise. */
  dispatch: TeamDispatchView | null;
  enabled: boolean;
}
const teamFields = {
  name,
  kind: z.enum(TEAM_KINDS),
  headcount: count,
  leaderName: optionalText,
  leaderPhone: phone.nullable(),
  townshipId: unitId.nullable(),
  departmentId: unitId.nullable(),
  lat,
  lon,
};
export const createTeamSchema = z
  .object({
    ...teamFields,
    leaderName: teamFields.leaderName.default(null),
    leaderPhone: teamFields.leaderPhone.default(null),
    townshipId: teamFields.townshipId.default(null),
    departmentId: teamFields.departmentId.default(null),
  })
  .refine(oneOwner, ONE_OWNER);
export type CreateTeamInput = z.infer<typeof createTeamSchema>;
export const updateTeamSchema = z.object(teamFields).partial().strict();
export type UpdateTeamInput = z.infer<typeof updateTeamSchema>;

// ---- depots (物资库) ------------------------------------------------------------------------------

export interface DepotView {
  id: string;
  name: string;
  townshipId: string | null;
  lat: number;
  lon: number;
  items: DepotItem[];
  contactName: string | null;
  contactPhone: string | null;
  enabled: boolean;
}
export const depotItemSchema = z.object({
  name: z.string().trim().min(1).max(50),
  quantity: z.number().min(0).max(1e9),
  unit: z.string().trim().max(8).default(''),
});
const depotFields = {
  name,
  townshipId: unitId.nullable(),
  lat,
  lon,
  items: z.array(depotItemSchema).max(DEPOT_MAX_ITEMS),
  contactName: optionalText,
  contactPhone: phone.nullable(),
};
export const createDepotSchema = z.object({
  ...depotFields,
  townshipId: depotFields.townshipId.default(null),
  items: depotFields.items.default([]),
  contactName: depotFields.contactName.default(null),
  contactPhone: depotFields.contactPhone.default(null),
});
export type CreateDepotInput = z.infer<typeof createDepotSchema>;
export const updateDepotSchema = z.object(depotFields).partial().strict();
export type UpdateDepotInput = z.infer<typeof updateDepotSchema>;

// ---- shelters (避难场所) --------------------------------------------------------------------------

export interface ShelterView {
  id: string;
  name: string;
  townshipId: string | null;
  address: string | null;
  lat: number;
  lon: number;
  /** People it can take, and people in it now. */
  capacity: number;
  occupancy: number;
  contactName: string | null;
  contactPhone: string | null;
  enabled: boolean;
}
const shelterFields = {
  name,
  townshipId: unitId.nullable(),
  address: z.string().trim().max(200).nullable(),
  lat,
  lon,
  capacity: count,
  occupancy: count,
  contactName: optionalText,
  contactPhone: phone.nullable(),
};
const OCCUPANCY = { message: '安置人数不能超过容量 / occupancy exceeds capacity', path: ['occupancy'] };
export const createShelterSchema = z
  .object({
    ...shelterFields,
    townshipId: shelterFields.townshipId.default(null),
    address: shelterFields.address.default(null),
    occupancy: count.default(0),
    contactName: shelterFields.contactName.default(null),
    contactPhone: shelterFields.contactPhone.default(null),
  })
  .refine((s) => s.occupancy <= s.capacity, OCCUPANCY);
export type CreateShelterInput = z.infer<typeof createShelterSchema>;
export const updateShelterSchema = z.object(shelterFields).partial().strict();
export type UpdateShelterInput = z.infer<typeof updateShelterSchema>;

// ---- experts (专家) ---------------------------------------------------------------------------------

export interface ExpertView {
  id: string;
  name: string;
  /** 地质灾害, 防汛抗旱, 危险化学品, 医疗救护…: free text, as the bureau's roster writes it. */
  field: string;
  phone: string;
  /** Where the expert works (工作单位): text, not one of Beacon's units. */
  unit: string | null;
  enabled: boolean;
}
const expertFields = { name, field: name, phone, unit: optionalText };
export const createExpertSchema = z.object({ ...expertFields, unit: expertFields.unit.default(null) });
export type CreateExpertInput = z.infer<typeof createExpertSchema>;
export const updateExpertSchema = z.object(expertFields).partial().strict();
export type UpdateExpertInput = z.infer<typeof updateExpertSchema>;

// ---- the map, the nearest, dispatch ------------------------------------------------------------------

/** GET /api/v1/resources: the enabled ones, for the map's layers and the expert list. */
export interface ResourcesView {
  teams: TeamView[];
  depots: DepotView[];
  shelters: ShelterView[];
  experts: ExpertView[];
}

/** `?limit=` of GET /incidents/:id/nearest. */
export const nearestQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(NEAREST_MAX).default(NEAREST_DEFAULT),
});

export type WithDistance<T> = T & { distanceKm: number };

/** Nearest first, by great-circle distance from the incident's location. */
export interface NearestResourcesView {
  incidentId: string;
  teams: WithDistance<TeamView>[];
  depots: WithDistance<DepotView>[];
  shelters: WithDistance<ShelterView>[];
}

/** POST /teams/:id/dispatch: the team goes to the incident as a task to its unit. */
export const dispatchTeamSchema = z.object({
  incidentId: unitId,
  /** What the team is to do; default "赶赴<事件>现场处置". */
  text: z.string().trim().min(1).max(2000).optional(),
  /** Default: two hours from now. */
  deadline: z.iso.datetime({ offset: true }).optional(),
});
export type DispatchTeamInput = z.infer<typeof dispatchTeamSchema>;

export interface TeamDispatchResult {
  team: TeamView;
  task: TaskView;
}

/** To staff sockets: a team was dispatched, came back or is ready again (every console's map and lists follow). */
export interface ResourceServerEvents {
  'team:updated': (team: TeamView) => void;
}

/** POST /teams/:id/status: the officer marks a team returned, or ready again. */
export const teamStatusSchema = z.object({ status: z.enum(TEAM_STATUSES) });

// ---- import ---------------------------------------------------------------------------------------------

/** POST /admin/resources/import: like the organisation's import, all rows or none. */
export interface ResourceImportReport {
  file: string;
  committed: boolean;
  counts: Record<ResourceKind, ImportKindCounts>;
  errors: ImportRowError[];
}
