/**
 * Planning accounts and devices from their sheets: users (matched by
 * username), video terminals (by owner and name) and desk phones (by
 * extension). Validated with the admin form's create schemas, the membership
 * rule of roles and, for a password the file gives, the password policy.
 */
import { BeaconError, createTerminalSchema, createUserSchema, membershipProblem } from '@beacon/protocol';
import { assertPasswordAcceptable } from '../auth/passwordPolicy.ts';
import { newId } from '../http/admin/orgRoutes.ts';
import type { BoundSheet, ImportRow } from './ImportRow.ts';
import { CHOICES } from './importColumns.ts';
import type { PlanContext } from './PlanContext.ts';

const USER_FIELDS = ['displayName', 'role', 'townshipId', 'departmentId', 'phone'] as const;
const TERMINAL_FIELDS = ['name', 'townshipId', 'departmentId'] as const;
const UNIT_COLUMNS = { townshipId: 'township', departmentId: 'department' };
const importUserSchema = createUserSchema.omit({ password: true });

export function planUsers(sheet: BoundSheet, ctx: PlanContext): void {
  const byUsername = new Map(ctx.snapshot.users.map((u) => [u.username, u]));
  for (const data of sheet.rows) {
    const row = ctx.row(sheet, data);
    const username = row.text('username');
    if (!username) {
      row.fail('username', 'required', '必填 / username is required');
      continue;
    }
    if (!ctx.claim(row, 'users', 'username', 'username', username)) continue;
    const existing = byUsername.get(username);
    const role = row.valueOr('role', existing, 'role', () => row.choice('role', CHOICES.role));
    const townshipId = row.valueOr('township', existing, 'townshipId', () =>
      ctx.unit(row, 'township', existing?.townshipId),
    );
    const departmentId = row.valueOr('department', existing, 'departmentId', () =>
      ctx.unit(row, 'department', existing?.departmentId),
    );
    const parsed = importUserSchema.safeParse({
      username,
      displayName: row.valueOr('displayName', existing, 'displayName', () => row.text('displayName') || undefined),
      role,
      townshipId: townshipId ?? null,
      departmentId: departmentId ?? null,
      phone: row.valueOr('phone', existing, 'phone', () => row.optional('phone')),
    });
    if (!parsed.success) row.failZod(parsed.error, UNIT_COLUMNS);
    if (parsed.success && townshipId !== undefined && departmentId !== undefined) {
      const problem = membershipProblem(parsed.data);
      if (problem)
        row.fail(UNIT_COLUMNS[problem.field as keyof typeof UNIT_COLUMNS] ?? problem.field, 'invalid', problem.message);
    }
    const password = row.text('password');
    // Only a new account takes the file's password: an import never resets an existing one.
    if (password && !existing) checkPassword(row, password, username, ctx);
    if (row.hasErrors || !parsed.success) continue;
    const id = existing?.id ?? newId('u');
    ctx.plan(row, { kind: 'users', key: username, id, existing, create: parsed.data, editable: USER_FIELDS });
  }
}

function checkPassword(row: ImportRow, password: string, username: string, ctx: PlanContext): void {
  try {
    assertPasswordAcceptable(password, username);
    if (password.length > 256) throw BeaconError.badRequest('密码过长 / password too long');
    ctx.givenPasswords.set(username, password);
  } catch (err) {
    if (!(err instanceof BeaconError)) throw err;
    const code =
      err.code === 'password_too_short' || err.code === 'password_is_username' || err.code === 'password_too_common'
        ? err.code
        : 'invalid';
    row.fail('password', code, err.message);
  }
}

/** The owner cells of a device row: exactly one unit. */
function ownerOf(
  row: ImportRow,
  ctx: PlanContext,
  current: { townshipId: string | null; departmentId: string | null } | undefined,
): { townshipId: string | null; departmentId: string | null } | undefined {
  const townshipId = ctx.unit(row, 'township', current?.townshipId);
  const departmentId = ctx.unit(row, 'department', current?.departmentId);
  if (townshipId === undefined || departmentId === undefined) return undefined;
  if ((townshipId === null) === (departmentId === null)) {
    row.fail(
      'township',
      'required',
      '填写所属乡镇或所属部门（二选一） / give the township or the department, not both',
    );
    return undefined;
  }
  return { townshipId, departmentId };
}

export function planTerminals(sheet: BoundSheet, ctx: PlanContext): void {
  for (const data of sheet.rows) {
    const row = ctx.row(sheet, data);
    const name = row.text('name');
    // The terminal as it is (same owner, same name) decides whether a disabled owner may stay.
    const peek = [ctx.townships.resolve(row.text('township')), ctx.departments.resolve(row.text('department'))];
    const ids = peek.flatMap((p) => ('id' in p ? [p.id] : []));
    const existing = ctx.snapshot.terminals.find(
      (t) => t.kind === 'video' && t.name === name && ids.includes(t.townshipId ?? t.departmentId ?? ''),
    );
    const owner = ownerOf(row, ctx, existing);
    if (!name) row.fail('name', 'required', '必填 / name is required');
    if (!owner || !name) continue;
    const ownerId = owner.townshipId ?? owner.departmentId;
    if (!ctx.claim(row, 'terminals', 'name', 'owner+name', `${ownerId}/${name}`)) continue;
    const parsed = createTerminalSchema.safeParse({ kind: 'video', name, ...owner, extension: null });
    if (!parsed.success) row.failZod(parsed.error, UNIT_COLUMNS);
    if (row.hasErrors || !parsed.success) continue;
    const id = existing?.id ?? newId('vt');
    ctx.plan(row, { kind: 'terminals', key: name, id, existing, create: parsed.data, editable: TERMINAL_FIELDS });
  }
}

export function planPhones(sheet: BoundSheet, ctx: PlanContext): void {
  for (const data of sheet.rows) {
    const row = ctx.row(sheet, data);
    const extension = row.text('extension');
    if (!extension) {
      row.fail('extension', 'required', '必填 / extension is required');
      continue;
    }
    if (!ctx.claim(row, 'phones', 'extension', 'extension', extension)) continue;
    const existing = ctx.snapshot.terminals.find((t) => t.extension === extension);
    if (existing && existing.kind !== 'sip_phone') {
      row.fail('extension', 'conflict', `分机号“${extension}”已被使用 / extension "${extension}" is taken`);
      continue;
    }
    const owner = ownerOf(row, ctx, existing);
    const name = row.valueOr('name', existing, 'name', () => row.text('name') || undefined);
    const parsed = createTerminalSchema.safeParse({ kind: 'sip_phone', name, ...owner, extension });
    if (owner && !parsed.success) row.failZod(parsed.error, UNIT_COLUMNS);
    if (row.hasErrors || !owner || !parsed.success) continue;
    const id = existing?.id ?? newId('ph');
    ctx.plan(row, { kind: 'phones', key: extension, id, existing, create: parsed.data, editable: TERMINAL_FIELDS });
  }
}
