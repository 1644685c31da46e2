/**
 * The administered kinds as configuration: one generic list page
 * (AdminListPage.vue) shows each from its API path, its columns and its form
 * fields. Labels are i18n keys `admin.field.<key>`, choices
 * `admin.option.<options>.<value>`. Patterns come from the protocol's
 * zod-free constants, the same the server's zod schemas use.
 */
import {
  CN_MOBILE_PATTERN,
  type DepotItem,
  DIAL_NUMBER_PATTERN,
  DIVISION_CODE_PATTERN,
  formatDepotItems,
  isSipTerminalKind,
  NEW_ROOM_PIN_PATTERN,
  PERSON_ROLES,
  PHONE_LINE_PATTERN,
  parseDepotItems,
  ROOM_ID_PATTERN,
  ROOM_KINDS,
  ROOM_PIN_PATTERN,
  TEAM_KINDS,
  TERMINAL_KINDS,
  type TerminalKind,
  TOWNSHIP_KINDS,
  USERNAME_PATTERN,
  VILLAGE_KINDS,
} from '@beacon/protocol/constants';

/** A form's values as the inputs hold them: strings, '' for none. */
export type FormModel = Record<string, string>;

export interface FieldSpec {
  key: string;
  /** text (default), password, number, a fixed choice, or a picker of enabled townships / departments / villages. */
  type?: 'text' | 'password' | 'number' | 'select' | 'township' | 'department' | 'village';
  /** For select: the values (labels: admin.option.<optionsKey>.<value>). */
  options?: readonly string[];
  optionsKey?: string;
  required?: boolean;
  /** Required depending on other fields (e.g. a department account's department). */
  requiredWhen?: (form: FormModel) => boolean;
  shownWhen?: (form: FormModel) => boolean;
  /** Set at creation only (username, a terminal's kind, a room's id): not shown or sent when editing. */
  createOnly?: boolean;
  /** Helps the form only (which owner a terminal has); never sent. */
  formOnly?: boolean;
  /** An empty input is sent as null (default), as '' or left out (the server picks a default). */
  empty?: 'null' | 'string' | 'omit';
  /** A hidden field is sent as null (default: the unit no longer applies) or left out. */
  hidden?: 'null' | 'omit';
  pattern?: RegExp;
  /** Message key under admin.invalid for a pattern mismatch (default 'pattern'). */
  patternMessage?: string;
  /** A stricter pattern for new records only (existing ones keep what they have, e.g. 4-digit room PINs). */
  createPattern?: RegExp;
  createPatternMessage?: string;
  minLength?: number;
  min?: number;
  max?: number;
  default?: string;
  /** The form value from a row (default: row[key]). */
  fromRow?: (row: Record<string, unknown> | undefined) => unknown;
  /** The body value from the input's text (default: by `type`): a depot's items notation → a list. */
  toBody?: (text: string) => unknown;
  /** A check beyond `pattern` (false: refused with `patternMessage`). */
  accepts?: (text: string) => boolean;
}

export interface ColumnSpec {
  key: string;
  /** How a cell shows: as is, a choice's label, a township's / department's name, a depot's items. */
  show?: 'text' | 'option' | 'township' | 'department' | 'village' | 'items';
  optionsKey?: string;
  width?: number;
}

export interface KindSpec {
  /** Menu key and API path: /api/v1/admin/<path>. */
  path: AdminListKind;
  columns: readonly ColumnSpec[];
  fields: readonly FieldSpec[];
  /** Terminals: a new SIP phone's password is in the create answer, shown once. */
  showsSipPassword?: boolean;
}

const ORG_LIST_KINDS = ['townships', 'villages', 'departments', 'users', 'terminals', 'rooms', 'capFeeds'] as const;
/** Emergency resources (应急资源): kept like the organisation, imported from their own workbook. */
export const RESOURCE_LIST_KINDS = ['teams', 'depots', 'shelters', 'experts'] as const;
export const ADMIN_LIST_KINDS = [...ORG_LIST_KINDS, ...RESOURCE_LIST_KINDS] as const;
export type AdminListKind = (typeof ADMIN_LIST_KINDS)[number];
/**
 * The side menu: the area (one form) first, then the organisation's lists and the monitoring stations, bulk
 * import/export and the townships' boundaries, then the resources' lists and their import.
 */
export const ADMIN_SECTIONS = [
  'area',
  ...ORG_LIST_KINDS,
  'stations',
  'cameras',
  'import',
  'boundaries',
  ...RESOURCE_LIST_KINDS,
  'resourceImport',
] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

export function isAdminSection(value: unknown): value is AdminSection {
  return typeof value === 'string' && (ADMIN_SECTIONS as readonly string[]).includes(value);
}

/** What the server accepts as a feed address (its zod check is the last word). */
const FEED_URL_PATTERN = /^https?:\/\/\S+$/i;

const divisionCode: Partial<FieldSpec> = { pattern: DIVISION_CODE_PATTERN, patternMessage: 'divisionCode' };
const mobile: Partial<FieldSpec> = { pattern: CN_MOBILE_PATTERN, patternMessage: 'mobile' };
const lat: Partial<FieldSpec> = { type: 'number', min: -90, max: 90 };
const lon: Partial<FieldSpec> = { type: 'number', min: -180, max: 180 };

/** The area's form (GET/PUT /admin/area). */
export const AREA_FIELDS: readonly FieldSpec[] = [
  { key: 'name', required: true },
  { key: 'code', required: true, ...divisionCode },
  { key: 'lat', required: true, ...lat },
  { key: 'lon', required: true, ...lon },
];

const ownerOf = (row: Record<string, unknown> | undefined) => (row?.departmentId ? 'department' : 'township');
const phoneLine: Partial<FieldSpec> = { pattern: PHONE_LINE_PATTERN, patternMessage: 'phoneLine' };
const count: Partial<FieldSpec> = { type: 'number', min: 0, max: 10_000_000 };
/** The unit a terminal or a team belongs to: a township or a department (exactly one). */
const unitFields: readonly FieldSpec[] = [
  {
    key: 'owner',
    type: 'select',
    options: ['township', 'department'],
    optionsKey: 'owner',
    formOnly: true,
    required: true,
    fromRow: ownerOf,
  },
  { key: 'townshipId', type: 'township', shownWhen: (f) => f.owner === 'township', required: true },
  { key: 'departmentId', type: 'department', shownWhen: (f) => f.owner === 'department', required: true },
];
/**
 * A terminal's unit: a loudspeaker (应急广播) names its village instead (its township follows on the server).
 * Hidden units are left out, not sent as null: naming one owner replaces the other on the server.
 */
const isLoudspeaker = (f: FormModel) => f.kind === 'loudspeaker';
const terminalUnitFields: readonly FieldSpec[] = [
  ...unitFields.map(
    (field): FieldSpec => ({
      ...field,
      hidden: 'omit',
      shownWhen: (f) => !isLoudspeaker(f) && (field.shownWhen?.(f) ?? true),
    }),
  ),
  { key: 'villageId', type: 'village', shownWhen: isLoudspeaker, required: true, hidden: 'omit' },
];
const depotItems: FieldSpec = {
  key: 'items',
  empty: 'omit',
  fromRow: (row) => formatDepotItems((row?.items as DepotItem[] | undefined) ?? []),
  toBody: (text) => {
    const parsed = parseDepotItems(text);
    return 'items' in parsed ? parsed.items : [];
  },
  accepts: (text) => 'items' in parseDepotItems(text),
  patternMessage: 'items',
};

export const KINDS: Record<AdminListKind, KindSpec> = {
  townships: {
    path: 'townships',
    columns: [
      { key: 'name' },
      { key: 'nameEn' },
      { key: 'kind', show: 'option', optionsKey: 'townshipKind', width: 110 },
      { key: 'code', width: 150 },
      { key: 'lat', width: 110 },
      { key: 'lon', width: 110 },
    ],
    fields: [
      { key: 'name', required: true },
      { key: 'nameEn', empty: 'string' },
      {
        key: 'kind',
        type: 'select',
        options: TOWNSHIP_KINDS,
        optionsKey: 'townshipKind',
        required: true,
        default: 'town',
      },
      { key: 'code', ...divisionCode },
      { key: 'lat', required: true, ...lat },
      { key: 'lon', required: true, ...lon },
    ],
  },
  villages: {
    path: 'villages',
    columns: [
      { key: 'name' },
      { key: 'townshipId', show: 'township' },
      { key: 'kind', show: 'option', optionsKey: 'villageKind', width: 100 },
      { key: 'code', width: 150 },
      { key: 'contactName', width: 120 },
      { key: 'contactMobile', width: 140 },
    ],
    fields: [
      { key: 'townshipId', type: 'township', required: true },
      { key: 'name', required: true },
      {
        key: 'kind',
        type: 'select',
        options: VILLAGE_KINDS,
        optionsKey: 'villageKind',
        required: true,
        default: 'village',
      },
      { key: 'code', ...divisionCode },
      { key: 'contactName' },
      { key: 'contactMobile', ...mobile },
      { key: 'lat', ...lat },
      { key: 'lon', ...lon },
    ],
  },
  departments: {
    path: 'departments',
    columns: [{ key: 'name' }, { key: 'shortName' }, { key: 'dutyPhone' }],
    fields: [
      { key: 'name', required: true },
      { key: 'shortName' },
      { key: 'dutyPhone', pattern: PHONE_LINE_PATTERN, patternMessage: 'phoneLine' },
    ],
  },
  users: {
    path: 'users',
    columns: [
      { key: 'username', width: 140 },
      { key: 'displayName' },
      { key: 'role', show: 'option', optionsKey: 'role', width: 120 },
      { key: 'townshipId', show: 'township' },
      { key: 'departmentId', show: 'department' },
      { key: 'phone', width: 130 },
    ],
    fields: [
      { key: 'username', createOnly: true, required: true, pattern: USERNAME_PATTERN, patternMessage: 'username' },
      { key: 'password', type: 'password', createOnly: true, required: true, minLength: 8 },
      { key: 'displayName', required: true },
      { key: 'role', type: 'select', options: PERSON_ROLES, optionsKey: 'role', required: true, default: 'department' },
      { key: 'townshipId', type: 'township', shownWhen: (f) => f.role === 'township', required: true },
      {
        key: 'departmentId',
        type: 'department',
        shownWhen: (f) => f.role !== 'township',
        requiredWhen: (f) => f.role === 'department',
      },
      { key: 'phone', ...mobile },
    ],
  },
  terminals: {
    path: 'terminals',
    showsSipPassword: true,
    columns: [
      { key: 'name' },
      { key: 'kind', show: 'option', optionsKey: 'terminalKind', width: 120 },
      { key: 'extension', width: 100 },
      { key: 'townshipId', show: 'township' },
      { key: 'departmentId', show: 'department' },
      { key: 'villageId', show: 'village' },
    ],
    fields: [
      {
        key: 'kind',
        type: 'select',
        options: TERMINAL_KINDS,
        optionsKey: 'terminalKind',
        createOnly: true,
        required: true,
        default: 'sip_phone',
      },
      { key: 'name', required: true },
      ...terminalUnitFields,
      {
        key: 'extension',
        // Desk phones, SIP video terminals and loudspeakers register with Kamailio under their extension.
        shownWhen: (f) => isSipTerminalKind(f.kind as TerminalKind),
        required: true,
        // A browser video terminal has no extension; when editing, the server keeps whatever it has.
        hidden: 'omit',
        pattern: DIAL_NUMBER_PATTERN,
        patternMessage: 'dialNumber',
      },
    ],
  },
  rooms: {
    path: 'rooms',
    columns: [
      { key: 'id', width: 180 },
      { key: 'title' },
      { key: 'kind', show: 'option', optionsKey: 'roomKind', width: 110 },
      { key: 'dialNumber', width: 110 },
      { key: 'pin', width: 100 },
    ],
    fields: [
      { key: 'id', createOnly: true, required: true, pattern: ROOM_ID_PATTERN, patternMessage: 'roomId' },
      { key: 'title', required: true },
      { key: 'kind', type: 'select', options: ROOM_KINDS, optionsKey: 'roomKind', required: true, default: 'meeting' },
      // Left empty, a new room gets the next free number and a random PIN.
      { key: 'dialNumber', empty: 'omit', pattern: DIAL_NUMBER_PATTERN, patternMessage: 'dialNumber' },
      {
        key: 'pin',
        empty: 'omit',
        pattern: ROOM_PIN_PATTERN,
        patternMessage: 'pin',
        // A 4-digit PIN falls to guessing across many calls; new rooms get 6-8 like the server requires.
        createPattern: NEW_ROOM_PIN_PATTERN,
        createPatternMessage: 'newPin',
      },
    ],
  },
  /** Warnings from outside (预警信息接入): a CAP 1.2 URL or an Atom/RSS index of CAP messages, polled. */
  capFeeds: {
    path: 'capFeeds',
    columns: [
      { key: 'name', width: 200 },
      { key: 'url' },
      { key: 'pollSeconds', width: 110 },
      { key: 'lastOkAt', width: 200 },
      { key: 'lastError' },
    ],
    fields: [
      { key: 'name', required: true },
      { key: 'url', required: true, pattern: FEED_URL_PATTERN, patternMessage: 'feedUrl' },
      { key: 'pollSeconds', type: 'number', required: true, min: 10, max: 86400, default: '300' },
    ],
  },
  teams: {
    path: 'teams',
    columns: [
      { key: 'name', width: 180 },
      { key: 'kind', show: 'option', optionsKey: 'teamKind', width: 100 },
      { key: 'headcount', width: 70 },
      { key: 'leaderName', width: 90 },
      { key: 'leaderPhone', width: 130 },
      { key: 'townshipId', show: 'township' },
      { key: 'departmentId', show: 'department' },
      { key: 'status', show: 'option', optionsKey: 'teamStatus', width: 100 },
    ],
    fields: [
      { key: 'name', required: true },
      { key: 'kind', type: 'select', options: TEAM_KINDS, optionsKey: 'teamKind', required: true, default: 'militia' },
      { key: 'headcount', required: true, ...count },
      { key: 'leaderName' },
      { key: 'leaderPhone', ...phoneLine },
      ...unitFields,
      { key: 'lat', required: true, ...lat },
      { key: 'lon', required: true, ...lon },
    ],
  },
  depots: {
    path: 'depots',
    columns: [
      { key: 'name' },
      { key: 'townshipId', show: 'township' },
      { key: 'items', show: 'items' },
      { key: 'contactName', width: 100 },
      { key: 'contactPhone', width: 140 },
    ],
    fields: [
      { key: 'name', required: true },
      { key: 'townshipId', type: 'township' },
      depotItems,
      { key: 'contactName' },
      { key: 'contactPhone', ...phoneLine },
      { key: 'lat', required: true, ...lat },
      { key: 'lon', required: true, ...lon },
    ],
  },
  shelters: {
    path: 'shelters',
    columns: [
      { key: 'name' },
      { key: 'townshipId', show: 'township' },
      { key: 'address' },
      { key: 'capacity', width: 100 },
      { key: 'occupancy', width: 100 },
      { key: 'contactPhone', width: 140 },
    ],
    fields: [
      { key: 'name', required: true },
      { key: 'townshipId', type: 'township' },
      { key: 'address' },
      { key: 'capacity', required: true, ...count },
      { key: 'occupancy', default: '0', ...count },
      { key: 'contactName' },
      { key: 'contactPhone', ...phoneLine },
      { key: 'lat', required: true, ...lat },
      { key: 'lon', required: true, ...lon },
    ],
  },
  experts: {
    path: 'experts',
    columns: [{ key: 'name' }, { key: 'field' }, { key: 'phone', width: 140 }, { key: 'unit' }],
    fields: [
      { key: 'name', required: true },
      { key: 'field', required: true },
      { key: 'phone', required: true, ...phoneLine },
      { key: 'unit' },
    ],
  },
};
