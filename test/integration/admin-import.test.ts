/**
 * The organisation's bulk import and export over REST on a real node: admin
 * accounts only; a dry run by default; a refused commit is 422
 * import_invalid with the rows at fault and writes nothing; a file over the
 * limit is 413 import_too_large, garbage is 400 import_malformed; a commit is
 * audited with the file's name and counts, and its new phones reach the SIP
 * subscriber list at once; the export is a workbook with the Chinese sheets.
 */
import type { ImportReport } from '@beacon/protocol';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { countySheets, countyXlsx } from '../../signaling/src/admin-import/testing/countyWorkbook.ts';
import { api, login, useTestNode } from './helpers.ts';

const t = useTestNode();
const SMALL = { townships: 3, villagesPerTownship: 2, users: 2, prefix: 'rs', county: 2 };

async function upload(token: string, body: Buffer, query: string) {
  const res = await fetch(`${t.url}/api/v1/admin/import?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body,
  });
  return {
    status: res.status,
    body: (await res.json()) as ImportReport & { error?: { code: string }; report?: ImportReport },
  };
}

describe('organisation import over REST', () => {
  it('is for admin accounts only', async () => {
    const duty = await login(t.url, 'duty');
    const file = await countyXlsx(countySheets(SMALL));
    expect((await upload(duty, file, 'filename=a.xlsx')).status).toBe(403);
    expect((await api(t.url, duty, '/api/v1/admin/export')).status).toBe(403);
  });

  it('refuses garbage, an oversized file and a file with a bad row, writing nothing', async () => {
    const admin = await login(t.url, 'admin');
    const garbage = await upload(admin, Buffer.from('PK\u0003\u0004 not a workbook'), 'filename=a.xlsx');
    expect([garbage.status, garbage.body.error?.code]).toEqual([400, 'import_malformed']);
    const big = await upload(admin, Buffer.alloc(5 * 1024 * 1024 + 1, 0x41), 'filename=a.csv&commit=1');
    expect([big.status, big.body.error?.code]).toEqual([413, 'import_too_large']);
    const sheets = countySheets(SMALL);
    (sheets.users.rows[0] as (string | number)[])[2] = '局长';
    const refused = await upload(admin, await countyXlsx(sheets), 'filename=bad.xlsx&commit=1');
    expect([refused.status, refused.body.error?.code]).toEqual([422, 'import_invalid']);
    expect(refused.body.report?.errors).toEqual([
      expect.objectContaining({ sheet: '用户', row: 2, column: '角色', code: 'invalid' }),
    ]);
    const townships = await api(t.url, admin, '/api/v1/admin/townships?q=rs青山');
    expect(((await townships.json()) as { total: number }).total).toBe(0);
  });

  it('dry-runs by default, commits with commit=1, audits it and registers the new phones', async () => {
    const admin = await login(t.url, 'admin');
    const file = await countyXlsx(countySheets(SMALL));
    const preview = await upload(admin, file, `filename=${encodeURIComponent('县.xlsx')}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ committed: false, errors: [], accounts: [] });
    expect(preview.body.counts.villages.create).toBe(6);

    const done = await upload(admin, file, `filename=${encodeURIComponent('县.xlsx')}&commit=1`);
    expect(done.status).toBe(200);
    expect(done.body.committed).toBe(true);
    expect(done.body.accounts.map((a) => a.username).sort()).toEqual(['rs-duty', 'rs-t1', 'rs-t2', 'rs-water']);
    const first = done.body.accounts.find((a) => a.username === 'rs-t1');
    const signIn = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'rs-t1', password: first?.password }),
    });
    expect(signIn.status).toBe(200);
    expect(((await signIn.json()) as { passwordChangeRequired: boolean }).passwordChangeRequired).toBe(true);
    expect(await t.beacon.node.store.terminals.findPhoneByExtension('80001')).toMatchObject({ kind: 'sip_phone' });
    const audit = await t.beacon.node.store.audit.list({ limit: 10 });
    expect(audit.find((e) => e.action === 'admin.import.commit')).toMatchObject({
      actorId: 'u-admin',
      target: '县.xlsx',
      detail: expect.objectContaining({
        counts: expect.objectContaining({ phones: { create: 3, update: 0, unchanged: 0 } }),
      }),
    });
  });

  it('exports a workbook with the Chinese sheets and headers', async () => {
    const admin = await login(t.url, 'admin');
    const res = await api(t.url, admin, '/api/v1/admin/export?kinds=townships,users&format=xlsx');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['乡镇', '用户']);
    expect(workbook.getWorksheet('用户')?.getRow(1).values).toEqual([
      undefined,
      '用户名',
      '姓名',
      '角色',
      '所属乡镇',
      '所属部门',
      '手机号',
      '状态',
    ]);
    const csvAll = await api(t.url, admin, '/api/v1/admin/export?format=csv');
    expect(csvAll.status).toBe(400);
  });
});
