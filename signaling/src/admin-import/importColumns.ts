/**
 * The columns of each imported kind: the Chinese header the export writes
 * (and Excel users type), the English field name, and other headers people
 * use for the same thing. Also the Chinese words for the choices (镇/乡/街道,
 * 村/社区, roles, 启用/停用), accepted next to the English values.
 */
import { IMPORT_KINDS, IMPORT_SHEET_NAMES, type ImportKind } from '@beacon/protocol';

export interface ImportColumn {
  /** The field name (also accepted as a header). */
  field: string;
  /** The header the export writes. */
  header: string;
  /** Other headers meaning this column. */
  aliases?: readonly string[];
  /** Written by the export only: accepted and ignored on import (a resource's computed columns). */
  exportOnly?: boolean;
}

/** 启用/停用: empty keeps an existing row as it is and creates a new one enabled. */
const enabled: ImportColumn = { field: 'enabled', header: '状态', aliases: ['启用状态'] };
const townshipRef: ImportColumn = { field: 'township', header: '所属乡镇', aliases: ['乡镇', 'townshipId'] };
const departmentRef: ImportColumn = { field: 'department', header: '所属部门', aliases: ['部门', 'departmentId'] };
const lat: ImportColumn = { field: 'lat', header: '纬度', aliases: ['latitude'] };
const lon: ImportColumn = { field: 'lon', header: '经度', aliases: ['longitude'] };

export const IMPORT_COLUMNS: Record<ImportKind, readonly ImportColumn[]> = {
  townships: [
    { field: 'name', header: '乡镇名称', aliases: ['名称', '乡镇'] },
    { field: 'code', header: '编码', aliases: ['行政区划代码', '区划代码'] },
    { field: 'kind', header: '类型' },
    { field: 'nameEn', header: '英文名称' },
    lat,
    lon,
    enabled,
  ],
  villages: [
    townshipRef,
    { field: 'name', header: '村/社区', aliases: ['村/社区名称', '村社区', '名称', '村名称', '社区名称'] },
    { field: 'kind', header: '类型' },
    { field: 'code', header: '编码', aliases: ['行政区划代码', '区划代码'] },
    { field: 'contactName', header: '联系人' },
    { field: 'contactMobile', header: '手机号', aliases: ['联系人手机', '联系电话', '联系人手机号'] },
    lat,
    lon,
    enabled,
  ],
  departments: [
    { field: 'name', header: '部门名称', aliases: ['名称', '部门'] },
    { field: 'shortName', header: '简称' },
    { field: 'dutyPhone', header: '值班电话' },
    enabled,
  ],
  users: [
    { field: 'username', header: '用户名', aliases: ['账号'] },
    { field: 'displayName', header: '姓名', aliases: ['name'] },
    { field: 'role', header: '角色' },
    townshipRef,
    departmentRef,
    { field: 'phone', header: '手机号', aliases: ['手机', 'mobile'] },
    { field: 'password', header: '初始密码', aliases: ['密码'] },
    enabled,
  ],
  terminals: [{ field: 'name', header: '终端名称', aliases: ['名称'] }, townshipRef, departmentRef, enabled],
  phones: [
    { field: 'extension', header: '分机号', aliases: ['号码'] },
    { field: 'name', header: '名称', aliases: ['话机名称'] },
    townshipRef,
    departmentRef,
    enabled,
  ],
};

/** Headers compare without spaces, a required-marker `*`, full-width brackets or case. */
export function normaliseHeader(text: string): string {
  return text
    .replace(/[\s*＊]/g, '')
    .replace(/（/g, '(')
    .replace(/）/g, ')')
    .toLowerCase();
}

/** The column a header names, or undefined. */
export function columnForHeader(kind: ImportKind, header: string): ImportColumn | undefined {
  const wanted = normaliseHeader(header);
  return IMPORT_COLUMNS[kind].find((c) =>
    [c.field, c.header, ...(c.aliases ?? [])].some((name) => normaliseHeader(name) === wanted),
  );
}

const SHEET_ALIASES: Record<ImportKind, readonly string[]> = {
  townships: ['乡镇街道', '乡镇/街道'],
  villages: ['村/社区', '村', '社区', '村社区'],
  departments: [],
  users: ['账号', '人员'],
  terminals: ['终端', 'videoterminals'],
  phones: ['电话', 'sip话机', 'sipphones'],
};

/** The kind a sheet or file name names (`乡镇`, `townships`, `用户.csv`), or undefined. */
export function kindForSheetName(name: string): ImportKind | undefined {
  const wanted = normaliseHeader(name.replace(/\.(csv|xlsx)$/i, ''));
  return IMPORT_KINDS.find((kind) =>
    [kind, IMPORT_SHEET_NAMES[kind], ...SHEET_ALIASES[kind]].some((n) => normaliseHeader(n) === wanted),
  );
}

/**
 * The kind whose columns a header row fits best (a CSV file or a sheet
 * called `Sheet1`): every header known, most columns matched. Undefined
 * when no kind knows every header.
 */
export function kindForHeaders(headers: readonly string[]): ImportKind | undefined {
  const named = headers.filter((h) => h.trim() !== '');
  let best: { kind: ImportKind; score: number } | undefined;
  for (const kind of IMPORT_KINDS) {
    if (!named.every((h) => columnForHeader(kind, h))) continue;
    // The first kind wins a tie: a sheet of only 名称 and 所属乡镇 is video terminals, not phones.
    const score = named.length;
    if (!best || score > best.score) best = { kind, score };
  }
  return best?.kind;
}

/** Choice words in Chinese (and the English values) → the stored value. */
export const CHOICES = {
  townshipKind: {
    镇: 'town',
    乡: 'township',
    街道: 'subdistrict',
    town: 'town',
    township: 'township',
    subdistrict: 'subdistrict',
  },
  villageKind: { 村: 'village', 社区: 'community', village: 'village', community: 'community' },
  enabled: { 启用: 'enabled', 停用: 'disabled', 禁用: 'disabled', enabled: 'enabled', disabled: 'disabled' },
  role: {
    系统管理员: 'admin',
    管理员: 'admin',
    会议主持人: 'chair',
    主持人: 'chair',
    值班员: 'duty_officer',
    乡镇账号: 'township',
    乡镇: 'township',
    部门账号: 'department',
    部门: 'department',
    admin: 'admin',
    chair: 'chair',
    duty_officer: 'duty_officer',
    township: 'township',
    department: 'department',
  },
} as const;

/** What the export writes for a stored value: the first Chinese word of the choice. */
export function choiceLabel(choices: Record<string, string>, value: string): string {
  return Object.entries(choices).find(([, v]) => v === value)?.[0] ?? value;
}
