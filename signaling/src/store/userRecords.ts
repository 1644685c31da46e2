/**
 * Accounts: sign-in look-ups, the demo seed's and the admin's creation, and
 * the admin's list, changes and disabling. A disabled account stays (its
 * audit, attendance and acks name it) but cannot sign in.
 */
import { BeaconError } from '@beacon/protocol';
import { assertFree, columnsOf, pageRows, rethrowConstraint, updateRow } from './adminQueries.ts';
import type { UserRecord, UserRepository } from './StoreTypes.ts';
import { constraintOf, type SqlQueries } from './sqlDb.ts';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: UserRecord['role'];
  township_id: string | null;
  department_id: string | null;
  phone: string | null;
  enabled: number;
  password_hash: string;
  must_change_password: number;
  tokens_valid_after: string | null;
  created_at: string;
}

const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  townshipId: r.township_id,
  departmentId: r.department_id,
  phone: r.phone,
  enabled: r.enabled === 1,
  passwordHash: r.password_hash,
  mustChangePassword: r.must_change_password === 1,
  tokensValidAfter: r.tokens_valid_after,
  createdAt: r.created_at,
});

const USERNAME = { table: 'users', column: 'username', field: 'username', label: '用户名' };
const USER_COLUMNS = {
  displayName: 'display_name',
  role: 'role',
  townshipId: 'township_id',
  departmentId: 'department_id',
  phone: 'phone',
};

export function userRepository(db: SqlQueries): UserRepository {
  const spec = { table: 'users', what: 'user', toView: toUser };
  return {
    findByUsername: async (username) => {
      const row = await db.get<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
      return row && toUser(row);
    },
    findById: async (id) => {
      const row = await db.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
      return row && toUser(row);
    },
    list: async () => (await db.all<UserRow>('SELECT * FROM users ORDER BY username')).map(toUser),
    create: async (input) => {
      const row: UserRow = {
        id: input.id,
        username: input.username,
        display_name: input.displayName,
        role: input.role,
        township_id: input.townshipId,
        department_id: input.departmentId ?? null,
        phone: input.phone ?? null,
        enabled: input.enabled === false ? 0 : 1,
        password_hash: input.passwordHash,
        must_change_password: input.mustChangePassword ? 1 : 0,
        tokens_valid_after: null,
        created_at: new Date().toISOString(),
      };
      try {
        await db.transaction(async (tx) => {
          await assertFree(tx, USERNAME, row.username);
          await tx.run(
            `INSERT INTO users (id, username, display_name, role, township_id, department_id, phone, enabled,
               password_hash, must_change_password, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            [
              row.id,
              row.username,
              row.display_name,
              row.role,
              row.township_id,
              row.department_id,
              row.phone,
              row.enabled,
              row.password_hash,
              row.must_change_password,
              row.created_at,
            ],
          );
        });
      } catch (err) {
        if (err instanceof BeaconError) throw err;
        const kind = constraintOf(err);
        if (kind === 'unique' || kind === 'primary_key') throw BeaconError.badRequest('user already exists');
        if (kind === 'foreign_key') throw BeaconError.badRequest('unknown township or department');
        if (kind === 'check') throw BeaconError.badRequest('invalid role, township or department');
        throw err;
      }
      return toUser(row);
    },
    page: async (query) => {
      const page = await pageRows<UserRow>(
        db,
        { from: 'users', search: ['username', 'display_name', 'phone'], orderBy: 'username' },
        query,
      );
      return { total: page.total, items: page.items.map(toUser) };
    },
    update: (id, patch) =>
      updateRow(db, spec, id, columnsOf(patch, USER_COLUMNS)).catch((err: unknown) =>
        rethrowConstraint(err, 'username', 'user'),
      ),
    setPassword: async (id, passwordHash, { mustChange }) => {
      const change = await updateRow(db, spec, id, {
        password_hash: passwordHash,
        must_change_password: mustChange ? 1 : 0,
        tokens_valid_after: new Date().toISOString(),
      });
      return change.after;
    },
    setEnabled: (id, enabled) => updateRow(db, spec, id, { enabled: enabled ? 1 : 0 }),
  };
}
