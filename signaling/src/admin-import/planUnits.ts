/**
 * Planning the organisation's units from their sheets: townships (matched by
 * code, else by name), villages and communities (by code, else by township
 * and name), departments (by name). Each row is validated with the same zod
 * schema as the admin form's create request.
 */
import { createDepartmentSchema, createTownshipSchema, createVillageSchema } from '@beacon/protocol';
import { newId } from '../http/admin/orgRoutes.ts';
import type { BoundSheet } from './ImportRow.ts';
import { CHOICES } from './importColumns.ts';
import type { PlanContext } from './PlanContext.ts';

const TOWNSHIP_FIELDS = ['name', 'nameEn', 'code', 'kind', 'lat', 'lon'] as const;
const VILLAGE_FIELDS = ['townshipId', 'name', 'kind', 'code', 'contactName', 'contactMobile', 'lat', 'lon'] as const;
const DEPARTMENT_FIELDS = ['name', 'shortName', 'dutyPhone'] as const;

/** 街道 and 乡 say what they are in their names; the rest are towns (镇). */
const townshipKindOf = (name: string) =>
  name.endsWith('街道') ? 'subdistrict' : name.endsWith('乡') ? 'township' : 'town';
const villageKindOf = (name: string) => (name.endsWith('社区') ? 'community' : 'village');

export function planTownships(sheet: BoundSheet, ctx: PlanContext): void {
  for (const data of sheet.rows) {
    const row = ctx.row(sheet, data);
    const name = row.text('name');
    const code = row.optional('code');
    if (!name) {
      row.fail('name', 'required', '必填 / name is required');
      continue;
    }
    if (!ctx.claim(row, 'townships', 'name', 'name', name)) continue;
    if (code && !ctx.claim(row, 'townships', 'code', 'code', code)) continue;
    const byCode = code ? ctx.snapshot.townships.find((t) => t.code === code) : undefined;
    const byName = ctx.snapshot.townships.filter((t) => t.name === name);
    if (!byCode && byName.length > 1) {
      row.fail(
        'name',
        'ambiguous',
        `已有多个“${name}”，请填编码 / several townships are named "${name}": give the code`,
      );
      continue;
    }
    const existing = byCode ?? byName[0];
    if (byCode && byCode.name !== name && byName.length > 0) {
      row.fail('name', 'conflict', `已有乡镇名为“${name}” / another township is named "${name}"`);
    }
    const create = createTownshipSchema.safeParse({
      name,
      nameEn: row.valueOr('nameEn', existing, 'nameEn', () => row.text('nameEn')),
      code: row.valueOr('code', existing, 'code', () => code),
      kind: row.valueOr(
        'kind',
        existing,
        'kind',
        () => row.choice('kind', CHOICES.townshipKind) ?? townshipKindOf(name),
      ),
      lat: row.valueOr('lat', existing, 'lat', () => row.number('lat')),
      lon: row.valueOr('lon', existing, 'lon', () => row.number('lon')),
    });
    const id = existing?.id ?? newId('tw');
    // Referable by the rest of the file even when this row is refused: one error, not one per village.
    ctx.townships.add(id, [name, code], existing?.enabled ?? true);
    if (!create.success) row.failZod(create.error);
    if (row.hasErrors || !create.success) continue;
    ctx.plan(row, { kind: 'townships', key: name, id, existing, create: create.data, editable: TOWNSHIP_FIELDS });
  }
}

export function planVillages(sheet: BoundSheet, ctx: PlanContext): void {
  for (const data of sheet.rows) {
    const row = ctx.row(sheet, data);
    const name = row.text('name');
    const code = row.optional('code');
    // The village as it is (by code, else by township and name) decides whether a disabled township may stay.
    const peek = ctx.townships.resolve(row.text('township'));
    const byCode = code ? ctx.snapshot.villages.find((v) => v.code === code) : undefined;
    const byName =
      'id' in peek ? ctx.snapshot.villages.find((v) => v.townshipId === peek.id && v.name === name) : undefined;
    const existing = byCode ?? byName;
    const townshipId = ctx.unit(row, 'township', existing?.townshipId);
    if (townshipId === null) row.fail('township', 'required', '必填 / township is required');
    if (!name) row.fail('name', 'required', '必填 / name is required');
    if (!townshipId || !name) continue;
    if (!ctx.claim(row, 'villages', 'name', 'township+name', `${townshipId}/${name}`)) continue;
    if (code && !ctx.claim(row, 'villages', 'code', 'code', code)) continue;
    if (byCode && byName && byName.id !== byCode.id) {
      row.fail('name', 'conflict', `该乡镇已有“${name}” / the township already has a village named "${name}"`);
    }
    const create = createVillageSchema.safeParse({
      townshipId,
      name,
      kind: row.valueOr('kind', existing, 'kind', () => row.choice('kind', CHOICES.villageKind) ?? villageKindOf(name)),
      code: row.valueOr('code', existing, 'code', () => code),
      contactName: row.valueOr('contactName', existing, 'contactName', () => row.optional('contactName')),
      contactMobile: row.valueOr('contactMobile', existing, 'contactMobile', () => row.optional('contactMobile')),
      lat: row.valueOr('lat', existing, 'lat', () => row.number('lat') ?? null),
      lon: row.valueOr('lon', existing, 'lon', () => row.number('lon') ?? null),
    });
    if (!create.success) row.failZod(create.error, { townshipId: 'township' });
    if (row.hasErrors || !create.success) continue;
    const id = existing?.id ?? newId('vl');
    ctx.plan(row, { kind: 'villages', key: name, id, existing, create: create.data, editable: VILLAGE_FIELDS });
  }
}

export function planDepartments(sheet: BoundSheet, ctx: PlanContext): void {
  for (const data of sheet.rows) {
    const row = ctx.row(sheet, data);
    const name = row.text('name');
    if (!name) {
      row.fail('name', 'required', '必填 / name is required');
      continue;
    }
    if (!ctx.claim(row, 'departments', 'name', 'name', name)) continue;
    const existing = ctx.snapshot.departments.find((d) => d.name === name);
    const create = createDepartmentSchema.safeParse({
      name,
      shortName: row.valueOr('shortName', existing, 'shortName', () => row.optional('shortName')),
      dutyPhone: row.valueOr('dutyPhone', existing, 'dutyPhone', () => row.optional('dutyPhone')),
    });
    const id = existing?.id ?? newId('dp');
    ctx.departments.add(id, [name, create.success ? create.data.shortName : null], existing?.enabled ?? true);
    if (!create.success) row.failZod(create.error);
    if (row.hasErrors || !create.success) continue;
    ctx.plan(row, { kind: 'departments', key: name, id, existing, create: create.data, editable: DEPARTMENT_FIELDS });
  }
}
