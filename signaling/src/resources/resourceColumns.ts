/**
 * The columns of each resource sheet: the Chinese header a bureau's roster
 * uses, the field name, other headers people write for the same thing; the
 * sheet names; the Chinese words for a team's kind. Headers compare like the
 * organisation's import does (no spaces, no `*`, any bracket width, any case).
 */
import { RESOURCE_KINDS, RESOURCE_SHEET_NAMES, type ResourceKind } from '@beacon/protocol';
import { type ImportColumn, normaliseHeader } from '../admin-import/importColumns.ts';

const township: ImportColumn = { field: 'township', header: '所属乡镇', aliases: ['乡镇', 'townshipId'] };
const lat: ImportColumn = { field: 'lat', header: '纬度', aliases: ['latitude'] };
const lon: ImportColumn = { field: 'lon', header: '经度', aliases: ['longitude'] };
const contactName: ImportColumn = { field: 'contactName', header: '联系人' };
const contactPhone: ImportColumn = { field: 'contactPhone', header: '联系电话', aliases: ['电话', '手机号'] };
const enabled: ImportColumn = { field: 'enabled', header: '启用状态', exportOnly: true };

export const RESOURCE_COLUMNS: Record<ResourceKind, readonly ImportColumn[]> = {
  teams: [
    { field: 'name', header: '队伍名称', aliases: ['名称', '队伍'] },
    { field: 'kind', header: '队伍类型', aliases: ['类型'] },
    { field: 'headcount', header: '人数', aliases: ['队员人数', '人员数'] },
    { field: 'leaderName', header: '负责人', aliases: ['队长'] },
    { field: 'leaderPhone', header: '联系电话', aliases: ['负责人电话', '电话', '手机号'] },
    township,
    { field: 'department', header: '所属部门', aliases: ['部门', 'departmentId'] },
    lat,
    lon,
    { field: 'status', header: '状态', exportOnly: true },
    enabled,
  ],
  depots: [
    { field: 'name', header: '物资库名称', aliases: ['名称', '物资库'] },
    township,
    { field: 'items', header: '储备物资', aliases: ['物资', '物资及数量'] },
    contactName,
    contactPhone,
    lat,
    lon,
    enabled,
  ],
  shelters: [
    { field: 'name', header: '场所名称', aliases: ['名称', '避难场所'] },
    township,
    { field: 'address', header: '地址' },
    { field: 'capacity', header: '容纳人数', aliases: ['容量', '可容纳人数'] },
    { field: 'occupancy', header: '已安置人数', aliases: ['安置人数', '已安置'] },
    contactName,
    contactPhone,
    lat,
    lon,
    enabled,
  ],
  experts: [
    { field: 'name', header: '姓名', aliases: ['名称'] },
    { field: 'field', header: '专业领域', aliases: ['专业', '领域'] },
    { field: 'phone', header: '联系电话', aliases: ['电话', '手机号'] },
    { field: 'unit', header: '工作单位', aliases: ['单位'] },
    enabled,
  ],
};

/** The column a row is matched on (an existing record with that value is updated): a name, an expert's phone. */
export const RESOURCE_KEY_FIELD: Record<ResourceKind, 'name' | 'phone'> = {
  teams: 'name',
  depots: 'name',
  shelters: 'name',
  experts: 'phone',
};

const SHEET_ALIASES: Record<ResourceKind, readonly string[]> = {
  teams: ['队伍', '应急队伍', '救援队'],
  depots: ['物资', '物资储备库', '应急物资库'],
  shelters: ['应急避难场所', '避难所'],
  experts: ['专家库', '应急专家'],
};

export function columnForHeader(kind: ResourceKind, header: string): ImportColumn | undefined {
  const wanted = normaliseHeader(header);
  return RESOURCE_COLUMNS[kind].find((c) =>
    [c.field, c.header, ...(c.aliases ?? [])].some((name) => normaliseHeader(name) === wanted),
  );
}

/** The kind a sheet's name names (`救援队伍`, `teams`, `专家库.csv`), else the first whose columns know every header. */
export function kindOfSheet(name: string, header: readonly string[]): ResourceKind | undefined {
  const wanted = normaliseHeader(name.replace(/\.(csv|xlsx)$/i, ''));
  const named = RESOURCE_KINDS.find((kind) =>
    [kind, RESOURCE_SHEET_NAMES[kind], ...SHEET_ALIASES[kind]].some((n) => normaliseHeader(n) === wanted),
  );
  if (named) return named;
  const headers = header.filter((h) => h.trim() !== '');
  if (headers.length === 0) return undefined;
  return RESOURCE_KINDS.find((kind) => headers.every((h) => columnForHeader(kind, h)));
}

/** A team's kind in Chinese (or the stored English value) → the stored value. */
export const TEAM_KIND_CHOICES: Readonly<Record<string, string>> = {
  消防救援: 'fire_rescue',
  消防救援队: 'fire_rescue',
  消防: 'fire_rescue',
  专业救援: 'professional',
  专业救援队: 'professional',
  医疗救护: 'medical',
  医疗救护队: 'medical',
  民兵应急: 'militia',
  民兵应急分队: 'militia',
  民兵: 'militia',
  志愿者: 'volunteer',
  志愿者队伍: 'volunteer',
  其他: 'other',
  fire_rescue: 'fire_rescue',
  professional: 'professional',
  medical: 'medical',
  militia: 'militia',
  volunteer: 'volunteer',
  other: 'other',
};
