import { describe, expect, it } from 'vitest';
import { ConsoleError } from '../errors.ts';
import { adminRedirect } from './access.ts';
import { bodyFromForm, fieldErrorText, fieldProblem, formFromRow, listQuery, placeServerError } from './adminForm.ts';
import { AREA_FIELDS, type FieldSpec, type FormModel, KINDS } from './adminKinds.ts';

const field = (key: string, fields: readonly FieldSpec[]) => fields.find((f) => f.key === key) as FieldSpec;

describe('the list query', () => {
  it('sends the page and size, a trimmed search, and the filter only when it is not "all"', () => {
    expect(listQuery({ q: '  应急 ', page: 2, pageSize: 50, enabled: 'all' })).toBe(
      `?q=${encodeURIComponent('应急')}&page=2&pageSize=50`,
    );
    expect(listQuery({ q: '', page: 1, pageSize: 20, enabled: 'false' })).toBe('?page=1&pageSize=20&enabled=false');
  });
});

describe('a form from a row and a body from a form', () => {
  const users = KINDS.users.fields;

  it('a new department account sends its department and a null township, phone null when empty', () => {
    const form: FormModel = {
      ...formFromRow(users),
      username: 'wang.li',
      password: 'secret-1234',
      displayName: '王力',
    };
    form.departmentId = 'dp-water';
    expect(form.role).toBe('department');
    expect(bodyFromForm(users, form, 'create')).toEqual({
      username: 'wang.li',
      password: 'secret-1234',
      displayName: '王力',
      role: 'department',
      townshipId: null,
      departmentId: 'dp-water',
      phone: null,
    });
  });

  it('editing leaves out what is fixed at creation, and a role change clears the unit that no longer applies', () => {
    const row = {
      id: 'u-1',
      username: 'lucheng',
      displayName: '鹿城',
      role: 'township',
      townshipId: 'lucheng',
      departmentId: null,
      phone: null,
    };
    const form = formFromRow(users, row);
    expect(form).toMatchObject({ username: 'lucheng', townshipId: 'lucheng', departmentId: '', phone: '' });
    form.role = 'chair';
    const body = bodyFromForm(users, form, 'edit');
    expect(body).not.toHaveProperty('username');
    expect(body).not.toHaveProperty('password');
    expect(body).toMatchObject({ role: 'chair', townshipId: null, departmentId: null });
  });

  it('a terminal: the owner picker is never sent; a video terminal sends no extension; numbers are numbers', () => {
    const terminals = KINDS.terminals.fields;
    const form = {
      ...formFromRow(terminals),
      kind: 'video',
      name: '水务局会商室',
      owner: 'department',
      departmentId: 'dp-water',
    };
    // The other owner is left out: naming one owner replaces the other on the server.
    expect(bodyFromForm(terminals, form, 'create')).toEqual({
      kind: 'video',
      name: '水务局会商室',
      departmentId: 'dp-water',
    });
    const area = { name: '楚雄州', code: '532300', lat: '25.04', lon: '101.54' };
    expect(bodyFromForm(AREA_FIELDS, area, 'create')).toEqual({
      name: '楚雄州',
      code: '532300',
      lat: 25.04,
      lon: 101.54,
    });
  });

  it('a loudspeaker names its village and extension, never a township or department', () => {
    const terminals = KINDS.terminals.fields;
    const form = {
      ...formFromRow(terminals),
      kind: 'loudspeaker',
      name: '村委会广播',
      villageId: 'vl-1',
      extension: '9101',
      townshipId: 'lucheng',
    };
    expect(bodyFromForm(terminals, form, 'create')).toEqual({
      kind: 'loudspeaker',
      name: '村委会广播',
      villageId: 'vl-1',
      extension: '9101',
    });
    expect(fieldProblem(field('villageId', terminals), { ...form, villageId: '' })).toBe('required');
  });

  it('a room left without number and PIN lets the server choose them', () => {
    const rooms = KINDS.rooms.fields;
    const form = { ...formFromRow(rooms), id: 'flood-drill', title: '防汛演练' };
    expect(bodyFromForm(rooms, form, 'create')).toEqual({ id: 'flood-drill', title: '防汛演练', kind: 'meeting' });
  });
});

describe('field checks use the protocol patterns', () => {
  const users = KINDS.users.fields;
  it('refuses a bad username, a short password, a bad mobile; requires a department for a department account', () => {
    const form: FormModel = {
      ...formFromRow(users),
      username: 'a b',
      password: 'short',
      phone: '12345',
      departmentId: '',
    };
    expect(fieldProblem(field('username', users), form)).toBe('username');
    expect(fieldProblem(field('password', users), form)).toBe('tooShort');
    expect(fieldProblem(field('phone', users), form)).toBe('mobile');
    expect(fieldProblem(field('departmentId', users), form)).toBe('required');
    form.role = 'chair';
    expect(fieldProblem(field('departmentId', users), form)).toBeNull();
    expect(fieldProblem(field('phone', users), { phone: '13812345678' })).toBeNull();
  });

  it('a new room needs a 6–8 digit PIN; an existing room keeps its 4-digit one', () => {
    const pin = field('pin', KINDS.rooms.fields);
    expect(fieldProblem(pin, { pin: '2026' }, 'create')).toBe('newPin');
    expect(fieldProblem(pin, { pin: '202611' }, 'create')).toBeNull();
    expect(fieldProblem(pin, { pin: '2026' }, 'edit')).toBeNull();
    expect(fieldProblem(pin, { pin: '20a6' }, 'edit')).toBe('pin');
  });

  it('latitude must be a number in range', () => {
    expect(fieldProblem(field('lat', AREA_FIELDS), { lat: 'north' })).toBe('number');
    expect(fieldProblem(field('lat', AREA_FIELDS), { lat: '91' })).toBe('range');
    expect(fieldProblem(field('lat', AREA_FIELDS), { lat: '25.1' })).toBeNull();
  });
});

describe('where a refused save is shown', () => {
  const conflict = Object.assign(new ConsoleError('conflict', 'username taken', { status: 409 }), {
    field: 'username',
  });
  const t = (key: string) => `t:${key}`;

  it('a conflict naming a shown field goes next to it', () => {
    const shown = placeServerError(conflict, ['username', 'displayName']);
    expect(shown.field).toBe('username');
    expect(fieldErrorText(shown, t)).toBe('t:admin.serverError.conflict');
  });

  it('a bad request shows the server’s reason next to the field (a nested path names its top field)', () => {
    const bad = Object.assign(new ConsoleError('bad_request', '没有启用的部门 / no enabled department'), {
      field: 'departmentId.0',
    });
    const shown = placeServerError(bad, ['departmentId']);
    expect(shown.field).toBe('departmentId');
    expect(fieldErrorText(shown, t)).toBe('没有启用的部门 / no enabled department');
  });

  it('a field the form does not show, or another error, is a message', () => {
    expect(placeServerError(conflict, ['displayName'])).toMatchObject({
      field: null,
      key: 'admin.serverError.conflict',
    });
    const forbidden = new ConsoleError('forbidden', 'admins only', { status: 403 });
    expect(placeServerError(forbidden, ['username'])).toMatchObject({ field: null, key: 'errors.forbidden' });
    expect(placeServerError(new Error('boom'), [])).toMatchObject({ field: null, key: 'errors.internal' });
  });
});

describe('who may open the admin pages', () => {
  it('admins and the signed-out login form stay; others go to their landing page', () => {
    expect(adminRedirect({ role: 'admin' })).toBeNull();
    expect(adminRedirect(null)).toBeNull();
    expect(adminRedirect({ role: 'chair' })).toEqual({ name: 'rooms' });
    expect(adminRedirect({ role: 'township' })).toEqual({ name: 'terminal' });
  });
});
