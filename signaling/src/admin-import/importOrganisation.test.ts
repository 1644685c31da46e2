/** Importing a county from XLSX and CSV into real SQLite and PostgreSQL stores: dry run, commit, refusals, round trip. */
import type { ImportReport } from '@beacon/protocol';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../auth/passwords.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { commitImport } from './commitImport.ts';
import { exportWorkbook } from './exportWorkbook.ts';
import { DEFAULT_IMPORT_LIMITS } from './importRoutes.ts';
import { loadSnapshot, planImport, reportOf } from './planImport.ts';
import { readWorkbook } from './readWorkbook.ts';
import { countySheets, countyXlsx, sheetCsv } from './testing/countyWorkbook.ts';

const SMALL = { townships: 3, villagesPerTownship: 2, users: 3 };
const actor = { userId: 'u-admin', role: 'admin' };

async function dryRun(store: Store, data: Buffer, file = 'county.xlsx'): Promise<ImportReport> {
  const tables = await readWorkbook(data, file, DEFAULT_IMPORT_LIMITS);
  return reportOf(await planImport(tables, store), file, false);
}

async function commit(store: Store, data: Buffer, file = 'county.xlsx') {
  const tables = await readWorkbook(data, file, DEFAULT_IMPORT_LIMITS);
  return commitImport(tables, store, { file, sha256: 'test', actor, realm: 'beacon' });
}

/** What the organisation tables hold, for "nothing written" checks. */
async function sizes(store: Store) {
  const org = await loadSnapshot(store);
  return {
    townships: org.townships.length,
    villages: org.villages.length,
    departments: org.departments.length,
    users: org.users.length,
    terminals: org.terminals.length,
  };
}

describeStoreBackends((env) => {
  describe('organisation import', () => {
    it('imports a small county: the dry run writes nothing, the commit creates every row with one-time passwords', async () => {
      const store = await env.open();
      const file = await countyXlsx(countySheets(SMALL));
      const preview = await dryRun(store, file);
      expect(preview.errors).toEqual([]);
      expect(preview.counts).toEqual({
        townships: { create: 3, update: 0, unchanged: 0 },
        villages: { create: 6, update: 0, unchanged: 0 },
        departments: { create: 2, update: 0, unchanged: 0 },
        users: { create: 5, update: 0, unchanged: 0 },
        terminals: { create: 4, update: 0, unchanged: 0 },
        phones: { create: 3, update: 0, unchanged: 0 },
      });
      expect(await sizes(store)).toEqual({ townships: 0, villages: 0, departments: 0, users: 0, terminals: 0 });

      const { report } = await commit(store, file);
      expect(report.committed).toBe(true);
      expect(await sizes(store)).toEqual({ townships: 3, villages: 6, departments: 2, users: 5, terminals: 7 });
      const township = (await store.townships.list()).find((t) => t.code === '532391001');
      expect(township).toMatchObject({ name: 'qs青山1镇', kind: 'town', enabled: true });
      const villages = await store.villages.listByTownship(township?.id ?? '');
      expect(villages.map((v) => [v.name, v.kind, v.contactMobile])).toEqual([
        ['qs城关1社区', 'community', '13900000000'],
        ['qs青山1-1村', 'village', '13900000001'],
      ]);
      // Each new account: a random password shown once, to be changed at the first sign-in.
      expect(report.accounts).toHaveLength(5);
      const account = report.accounts.find((a) => a.username === 'qs-t1');
      const user = await store.users.findByUsername('qs-t1');
      expect(user).toMatchObject({ role: 'township', townshipId: township?.id, mustChangePassword: true });
      expect(await verifyPassword(account?.password ?? '', user?.passwordHash ?? '')).toBe(true);
      const water = await store.users.findByUsername('qs-water');
      expect(water?.departmentId).toBe((await store.departments.list()).find((d) => d.name === 'qs县水务局')?.id);
      // Each new phone: a SIP password shown once, registered in Kamailio's subscriber table.
      expect(report.phones.map((p) => p.extension)).toEqual(['70001', '70002', '70003']);
      expect((await store.terminals.sipSubscribers()).map((s) => s.username).sort()).toEqual([
        '70001',
        '70002',
        '70003',
      ]);
      const [audit] = await store.audit.list({ limit: 1 });
      expect(audit).toMatchObject({ action: 'admin.import.commit', actorId: 'u-admin', target: 'county.xlsx' });
      expect(JSON.stringify(audit?.detail)).not.toContain(account?.password ?? '-');
    });

    it('refuses a bad row with its sheet, row, column and reason, and writes nothing', async () => {
      const store = await env.open();
      const sheets = countySheets(SMALL);
      (sheets.villages.rows[2] as (string | number)[])[5] = '1390000'; // 7 digits: not a mobile number
      (sheets.users.rows[1] as (string | number)[])[3] = '不存在镇';
      const file = await countyXlsx(sheets);
      const preview = await dryRun(store, file);
      expect(preview.errors).toEqual([
        expect.objectContaining({ sheet: '村社区', row: 4, column: '手机号', code: 'invalid' }),
        expect.objectContaining({ sheet: '用户', row: 3, column: '所属乡镇', code: 'unknown_ref' }),
      ]);
      expect(preview.errors[1]?.message).toContain('不存在镇');
      const { report } = await commit(store, file);
      expect(report.committed).toBe(false);
      expect(report.accounts).toEqual([]);
      expect(await sizes(store)).toEqual({ townships: 0, villages: 0, departments: 0, users: 0, terminals: 0 });
    });

    it('refuses duplicates in the file and unique values another record holds', async () => {
      const store = await env.open();
      await commit(store, await countyXlsx(countySheets(SMALL)));
      const before = await sizes(store);
      const sheets = countySheets({ ...SMALL, prefix: 'xs', county: 2 });
      sheets.users.rows.push(['xs-t2', '重复', '值班员', '', '', '']);
      sheets.phones.rows.push(['80001', '重复话机', 'xs青山1镇', '']);
      // The code of one village of the first county with the name of another one of the same township.
      sheets.villages.rows.push(['qs青山1镇', 'qs城关1社区', '社区', '532391001002', '', '']);
      const report = await dryRun(store, await countyXlsx(sheets));
      expect(report.errors.map((e) => [e.sheet, e.row, e.column, e.code])).toEqual([
        ['村社区', 8, '村/社区', 'conflict'],
        ['用户', 7, '用户名', 'duplicate'],
        ['话机', 5, '分机号', 'duplicate'],
      ]);
      expect((await commit(store, await countyXlsx(sheets))).report.committed).toBe(false);
      expect(await sizes(store)).toEqual(before);
    });

    it('names unknown sheets and columns, and refuses a policy-breaking password', async () => {
      const store = await env.open();
      const sheets = countySheets(SMALL);
      sheets.phones.header.push('备注');
      sheets.users.header.push('初始密码');
      sheets.users.rows[0]?.push('qs-t1');
      sheets.users.rows[1]?.push('Kz7!vq2#Lw9p');
      const file = await countyXlsx(sheets);
      const report = await dryRun(store, file);
      expect(report.errors.map((e) => [e.sheet, e.row, e.column, e.code])).toEqual([
        ['用户', 2, '初始密码', 'password_too_short'],
        ['话机', 1, '备注', 'unknown_column'],
      ]);
      const other = await dryRun(store, await countyXlsx({}), 'empty.xlsx');
      expect(other.errors.map((e) => e.code)).toEqual(['unknown_sheet']);
    });

    it('commits a password the file gives (still to be changed at first sign-in)', async () => {
      const store = await env.open();
      const sheets = countySheets(SMALL);
      sheets.users.header.push('初始密码');
      sheets.users.rows[0]?.push('Kz7!vq2#Lw9p');
      const { report } = await commit(store, await countyXlsx(sheets));
      expect(report.accounts.find((a) => a.username === 'qs-t1')?.password).toBeNull();
      const user = await store.users.findByUsername('qs-t1');
      expect(user?.mustChangePassword).toBe(true);
      expect(await verifyPassword('Kz7!vq2#Lw9p', user?.passwordHash ?? '')).toBe(true);
    });

    it('round-trips: the export imports unchanged, an edited cell is one update', async () => {
      const store = await env.open();
      await commit(store, await countyXlsx(countySheets(SMALL)));
      const org = await loadSnapshot(store);
      const exported = await exportWorkbook(
        ['townships', 'villages', 'departments', 'users', 'terminals', 'phones'],
        'xlsx',
        org,
      );
      const again = await dryRun(store, exported, '组织机构.xlsx');
      expect(again.errors).toEqual([]);
      expect(Object.values(again.counts).every((c) => c.create === 0 && c.update === 0)).toBe(true);
      expect(again.counts.villages.unchanged).toBe(6);

      // One kind as CSV (UTF-8 with BOM), one mobile number edited.
      const csv = await exportWorkbook(['villages'], 'csv', org);
      expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const edited = Buffer.from(csv.toString('utf8').replace('13900000001', '13912345678'), 'utf8');
      const changed = await dryRun(store, edited, '村社区.csv');
      expect(changed.errors).toEqual([]);
      expect(changed.counts.villages).toEqual({ create: 0, update: 1, unchanged: 5 });
      expect(changed.changes).toEqual([expect.objectContaining({ key: 'qs青山1-1村', fields: ['contactMobile'] })]);
      await commit(store, edited, '村社区.csv');
      const village = (await loadSnapshot(store)).villages.find((v) => v.name === 'qs青山1-1村');
      expect(village?.contactMobile).toBe('13912345678');
    });

    it('applies the 状态 column: 停用 disables (a new row too), 启用 enables, empty keeps, a bad word is refused', async () => {
      const store = await env.open();
      await commit(store, await countyXlsx(countySheets(SMALL)));
      const org = await loadSnapshot(store);
      const target = org.users.find((u) => u.username === 'qs-duty');
      if (!target) throw new Error('qs-duty was not imported');
      const exported = (await exportWorkbook(['users'], 'csv', org)).toString('utf8').split(/\r?\n/);
      /** The exported users with `qs-duty`'s 状态 and a new account's, as an admin would edit them. */
      const usersCsv = (dutyStatus: string, newcomerStatus: string) =>
        Buffer.from(
          [
            ...exported.map((line) => (line.startsWith('qs-duty,') ? line.replace(/启用$/, dutyStatus) : line)),
            `newcomer,新来的,值班员,,,13900009999,${newcomerStatus}`,
          ].join('\n'),
          'utf8',
        );

      // One user switched off, and a new one added already off.
      const off = usersCsv('停用', '停用');
      const preview = await dryRun(store, off, '用户.csv');
      expect(preview.errors).toEqual([]);
      expect(preview.changes).toContainEqual(expect.objectContaining({ key: 'qs-duty', fields: ['enabled'] }));
      const { report, disabledUserIds } = await commit(store, off, '用户.csv');
      expect(report.committed).toBe(true);
      // The running system ends the switched-off user's sessions; a new account has none.
      expect(disabledUserIds).toEqual([target.id]);
      expect((await store.users.findById(target.id))?.enabled).toBe(false);
      expect((await store.users.findByUsername('newcomer'))?.enabled).toBe(false);

      // Back on; an empty cell leaves the new account as it is.
      expect((await commit(store, usersCsv('启用', ''), '用户.csv')).report.committed).toBe(true);
      expect((await store.users.findById(target.id))?.enabled).toBe(true);
      expect((await store.users.findByUsername('newcomer'))?.enabled).toBe(false);

      const refused = await dryRun(store, usersCsv('也许', ''), '用户.csv');
      expect(refused.errors).toContainEqual(expect.objectContaining({ column: '状态', code: 'invalid' }));
      expect(refused.changes).toEqual([]);
    });

    it('writes all of a transaction or nothing', async () => {
      const store = await env.open();
      const township = { name: '回滚镇', nameEn: '', code: null, kind: 'town' as const, lat: 25, lon: 101 };
      await expect(
        store.transaction(async (tx) => {
          await tx.townships.create({ ...township, id: 'tw-rollback' });
          expect(await tx.townships.get('tw-rollback')).toBeDefined();
          throw new Error('stop');
        }),
      ).rejects.toThrow('stop');
      expect(await store.townships.get('tw-rollback')).toBeUndefined();
    });

    it('reads a GBK CSV as Excel in China saves it, its kind told by its headers', async () => {
      const store = await env.open();
      const sheets = countySheets(SMALL);
      const gbk = iconv.encode(sheetCsv(sheets.townships), 'gbk');
      const report = await dryRun(store, gbk, 'export (1).csv');
      expect(report.errors).toEqual([]);
      expect(report.counts.townships.create).toBe(3);
      expect(report.changes[0]?.key).toBe('qs青山1镇');
    });
  });
});

describe('organisation import: unreadable files', () => {
  const limits = DEFAULT_IMPORT_LIMITS;
  it('refuses garbage, a zip that is not a workbook and a binary file as import_malformed', async () => {
    const zipJunk = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]);
    await expect(readWorkbook(zipJunk, 'a.xlsx', limits)).rejects.toMatchObject({ code: 'import_malformed' });
    const malformed = { code: 'import_malformed' };
    await expect(readWorkbook(Buffer.from([0, 1, 2, 3, 255]), 'a.csv', limits)).rejects.toMatchObject(malformed);
    await expect(readWorkbook(Buffer.from('a,b'), 'a.xlsx', limits)).rejects.toMatchObject(malformed);
    await expect(readWorkbook(Buffer.alloc(0), 'a.csv', limits)).rejects.toMatchObject(malformed);
  });

  it('refuses a file over the size or row limit as import_too_large', async () => {
    const big = Buffer.alloc(limits.maxBytes + 1, 0x41);
    await expect(readWorkbook(big, 'a.csv', limits)).rejects.toMatchObject({ code: 'import_too_large' });
    const file = await countyXlsx(countySheets({ townships: 10, villagesPerTownship: 5, users: 10 }));
    const small = { maxBytes: limits.maxBytes, maxRows: 50 };
    await expect(readWorkbook(file, 'a.xlsx', small)).rejects.toMatchObject({ code: 'import_too_large' });
    // A small file that unpacks to far more: refused before exceljs inflates it.
    const sheets = countySheets({ townships: 1, villagesPerTownship: 0, users: 0 });
    for (let i = 0; i < 30; i++) sheets.townships.rows.push([`${i}${'x'.repeat(32_000)}`, '', '', '', '']);
    const bomb = await countyXlsx(sheets);
    const tight = { maxBytes: 20_000, maxRows: 100 };
    expect(bomb.length).toBeLessThan(tight.maxBytes);
    await expect(readWorkbook(bomb, 'a.xlsx', tight)).rejects.toMatchObject({ code: 'import_too_large' });
  });
});
