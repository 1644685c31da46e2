/**
 * The organisation as an administrator keeps it, under /api/v1/admin: the
 * deployment's area, townships, villages, departments, users, terminals and
 * phones, meeting rooms. Each kind is listed with search and paging, read,
 * created, changed (PATCH) and disabled/enabled — never deleted, because
 * history (attendance, acks, audit) refers to it.
 */
import { z } from 'zod';
import { roomIdSchema } from './events.ts';
import type { TerminalView, TownshipView, UserView } from './rest.ts';
import {
  ADMIN_MAX_PAGE_SIZE,
  CN_MOBILE_PATTERN,
  DIAL_NUMBER_PATTERN,
  DIVISION_CODE_PATTERN,
  isSipTerminalKind,
  NEW_ROOM_PIN_PATTERN,
  PERSON_ROLES,
  PHONE_LINE_PATTERN,
  ROOM_KINDS,
  ROOM_PIN_PATTERN,
  type RoomKind,
  TERMINAL_KINDS,
  TOWNSHIP_KINDS,
  USERNAME_PATTERN,
  VILLAGE_KINDS,
  type VillageKind,
} from './vocabulary.ts';

// ---- lists -----------------------------------------------------------------------------

/** `?q=&page=&pageSize=&enabled=`: q searches names, codes, numbers (substring, case-insensitive). */
export const adminListQuerySchema = z.object({
  q: z.string().trim().max(100).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(ADMIN_MAX_PAGE_SIZE).default(50),
  /** Only enabled (`true`) or only disabled (`false`) rows; default both. */
  enabled: z.enum(['true', 'false']).optional(),
});
export type AdminListQuery = z.infer<typeof adminListQuerySchema>;

export interface Page<T> {
  items: T[];
  /** Rows matching the search, over all pages. */
  total: number;
  page: number;
  pageSize: number;
}

// ---- field rules -------------------------------------------------------------------------

const name = z.string().trim().min(1).max(100);
const optionalText = z.string().trim().max(100).nullable();
const unitId = z.string().min(1).max(64);
const lat = z.number().min(-90).max(90);
const lon = z.number().min(-180).max(180);
const mobile = z.string().regex(CN_MOBILE_PATTERN, '11 位手机号 / an 11-digit mobile number');
const phoneLine = z.string().regex(PHONE_LINE_PATTERN, '电话号码 / digits and dashes');
const divisionCode = z.string().regex(DIVISION_CODE_PATTERN, '行政区划代码 / 6, 9 or 12 digits');
const extension = z.string().regex(DIAL_NUMBER_PATTERN, '分机号为 2–16 位数字 / 2–16 digits');
const pin = z.string().regex(ROOM_PIN_PATTERN, 'PIN 为 4–8 位数字 / 4–8 digits');
const newRoomPin = z
  .string()
  .regex(NEW_ROOM_PIN_PATTERN, '新会议室的 PIN 为 6–8 位数字 / a new room’s PIN has 6–8 digits');

// ---- the deployment's area (one row) ---------------------------------------------------

export interface AreaView {
  name: string;
  code: string;
  lat: number;
  lon: number;
  updatedAt: string;
}
export const areaSchema = z.object({ name, code: divisionCode, lat, lon });
export type AreaInput = z.infer<typeof areaSchema>;

// ---- townships ---------------------------------------------------------------------------

export interface TownshipAdminView extends TownshipView {
  code: string | null;
  enabled: boolean;
}
export const createTownshipSchema = z.object({
  name,
  nameEn: z.string().trim().max(100).default(''),
  code: divisionCode.nullable().default(null),
  kind: z.enum(TOWNSHIP_KINDS),
  lat,
  lon,
});
export type CreateTownshipInput = z.infer<typeof createTownshipSchema>;
export const updateTownshipSchema = z
  .object({
    name,
    nameEn: z.string().trim().max(100),
    code: divisionCode.nullable(),
    kind: z.enum(TOWNSHIP_KINDS),
    lat,
    lon,
  })
  .partial()
  .strict();
export type UpdateTownshipInput = z.infer<typeof updateTownshipSchema>;

// ---- villages and communities -----------------------------------------------------------

export interface VillageView {
  id: string;
  townshipId: string;
  name: string;
  kind: VillageKind;
  code: string | null;
  contactName: string | null;
  contactMobile: string | null;
  lat: number | null;
  lon: number | null;
  enabled: boolean;
}
const villageFields = {
  townshipId: unitId,
  name,
  kind: z.enum(VILLAGE_KINDS),
  code: divisionCode.nullable(),
  contactName: optionalText,
  contactMobile: mobile.nullable(),
  lat: lat.nullable(),
  lon: lon.nullable(),
};
const locationBoth = (v: { lat?: number | null; lon?: number | null }) => (v.lat == null) === (v.lon == null);
const LOCATION_MESSAGE = { message: '经纬度须同时给出 / give both lat and lon, or neither', path: ['lat'] };
export const createVillageSchema = z
  .object({
    ...villageFields,
    code: villageFields.code.default(null),
    contactName: villageFields.contactName.default(null),
    contactMobile: villageFields.contactMobile.default(null),
    lat: villageFields.lat.default(null),
    lon: villageFields.lon.default(null),
  })
  .refine(locationBoth, LOCATION_MESSAGE);
export type CreateVillageInput = z.infer<typeof createVillageSchema>;
export const updateVillageSchema = z.object(villageFields).partial().strict();
export type UpdateVillageInput = z.infer<typeof updateVillageSchema>;

// ---- departments ---------------------------------------------------------------------------

export interface DepartmentView {
  id: string;
  name: string;
  shortName: string | null;
  dutyPhone: string | null;
  enabled: boolean;
}
export const createDepartmentSchema = z.object({
  name,
  shortName: optionalText.default(null),
  dutyPhone: phoneLine.nullable().default(null),
});
export type CreateDepartmentInput = z.infer<typeof createDepartmentSchema>;
export const updateDepartmentSchema = z
  .object({ name, shortName: optionalText, dutyPhone: phoneLine.nullable() })
  .partial()
  .strict();
export type UpdateDepartmentInput = z.infer<typeof updateDepartmentSchema>;

// ---- users -----------------------------------------------------------------------------------

export interface AdminUserView extends UserView {
  phone: string | null;
  enabled: boolean;
  createdAt: string;
}
const userFields = {
  displayName: name,
  role: z.enum(PERSON_ROLES),
  townshipId: unitId.nullable(),
  departmentId: unitId.nullable(),
  phone: mobile.nullable(),
};
export const createUserSchema = z.object({
  username: z.string().regex(USERNAME_PATTERN, '用户名为 2–64 位字母、数字或 _ . - / letters, digits, _ . -'),
  // The password policy (length ≥ 10, not common) comes with safe sign-in; here: a sane bound.
  password: z.string().min(8).max(256),
  ...userFields,
  townshipId: userFields.townshipId.default(null),
  departmentId: userFields.departmentId.default(null),
  phone: userFields.phone.default(null),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;
export const updateUserSchema = z.object(userFields).partial().strict();
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

/**
 * Which unit a role speaks for: a township account one township, a
 * department account one department; the city side may belong to a
 * department (its staff list) but never to a township. A message, or null.
 */
export function membershipProblem(u: {
  role: string;
  townshipId: string | null;
  departmentId: string | null;
}): { field: string; message: string } | null {
  if (u.role === 'township') {
    if (!u.townshipId)
      return { field: 'townshipId', message: '乡镇账号须属于一个乡镇 / a township account needs townshipId' };
    if (u.departmentId)
      return { field: 'departmentId', message: '乡镇账号不属于部门 / a township account has no department' };
    return null;
  }
  if (u.townshipId)
    return { field: 'townshipId', message: '只有乡镇账号属于乡镇 / only township accounts belong to a township' };
  if (u.role === 'department' && !u.departmentId) {
    return { field: 'departmentId', message: '部门账号须属于一个部门 / a department account needs departmentId' };
  }
  return null;
}

// ---- terminals and desk phones -----------------------------------------------------------

export interface TerminalAdminView extends TerminalView {
  enabled: boolean;
}
const terminalFields = {
  kind: z.enum(TERMINAL_KINDS),
  name,
  townshipId: unitId.nullable(),
  departmentId: unitId.nullable(),
  extension: extension.nullable(),
};
const oneOwner = (t: { townshipId?: string | null; departmentId?: string | null }) =>
  (t.townshipId == null) !== (t.departmentId == null);
const OWNER_MESSAGE = {
  message: '终端属于一个乡镇或一个部门 / give townshipId or departmentId, not both',
  path: ['townshipId'],
};
export const createTerminalSchema = z
  .object({
    ...terminalFields,
    townshipId: terminalFields.townshipId.default(null),
    departmentId: terminalFields.departmentId.default(null),
    extension: terminalFields.extension.default(null),
    villageId: unitId.nullable().default(null),
  })
  // A loudspeaker names its village; its township comes from the village.
  .refine((t) => (t.kind === 'loudspeaker' ? t.villageId !== null : oneOwner(t)), OWNER_MESSAGE)
  .refine((t) => (t.kind === 'loudspeaker') === (t.villageId !== null), {
    message: '广播须属于一个村/社区，其他终端不属于村 / a loudspeaker needs villageId, other kinds have none',
    path: ['villageId'],
  })
  .refine((t) => isSipTerminalKind(t.kind) === (t.extension !== null), {
    message:
      '电话、SIP 视频终端和广播须有分机号，视频终端没有 / a sip_phone, sip_video or loudspeaker needs an extension, a video terminal has none',
    path: ['extension'],
  });
export type CreateTerminalInput = z.infer<typeof createTerminalSchema>;
/** The kind is fixed at creation (a phone's credentials belong to its extension). */
export const updateTerminalSchema = z
  .object({
    name,
    townshipId: terminalFields.townshipId,
    departmentId: terminalFields.departmentId,
    extension,
    /** A loudspeaker moved to another village (its township follows). */
    villageId: unitId,
  })
  .partial()
  .strict();
export type UpdateTerminalInput = z.infer<typeof updateTerminalSchema>;
/** A new SIP phone's or loudspeaker's password, shown once (the store keeps only digest hashes). */
export interface CreatedTerminal extends TerminalAdminView {
  sip: { username: string; password: string; realm: string } | null;
}

// ---- meeting rooms -----------------------------------------------------------------------------

export interface MeetingRoomView {
  id: string;
  title: string;
  kind: RoomKind;
  dialNumber: string | null;
  pin: string | null;
  enabled: boolean;
  createdAt: string;
}
export const createMeetingRoomSchema = z.object({
  id: roomIdSchema,
  title: z.string().trim().min(1).max(200),
  kind: z.enum(ROOM_KINDS).default('meeting'),
  /** Default: the next free 6xxx. */
  dialNumber: extension.optional(),
  /** Default: a random 6-digit PIN; null asks for none. */
  pin: newRoomPin.nullable().optional(),
});
export type CreateMeetingRoomInput = z.infer<typeof createMeetingRoomSchema>;
export const updateMeetingRoomSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    kind: z.enum(ROOM_KINDS),
    dialNumber: extension,
    pin: pin.nullable(),
  })
  .partial()
  .strict();
export type UpdateMeetingRoomInput = z.infer<typeof updateMeetingRoomSchema>;
