/** Importing resources from XLSX into real SQLite and PostgreSQL stores: dry run, commit, refusals, re-import, export. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_IMPORT_LIMITS } from '../admin-import/importRoutes.ts';
import { readWorkbook } from '../admin-import/readWorkbook.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { commitResourceImport } from './commitResourceImport.ts';
import { exportResources } from './exportResources.ts';
import { planResourceImport } from './planResourceImport.ts';
import { demoTeams, resourceXlsx, type SheetData } from './testing/resourceWorkbook.ts';

const actor = { userId: 'u-admin', role: 'admin' };

async function plan(store: Store, sheets: Record<string, SheetData>) {
  return planResourceImport(await readWorkbook(await resourceXlsx(sheets), 'r.xlsx', DEFAULT_IMPORT_LIMITS), store);
}

const depots: SheetData = {
  header: ['物资库名称', '所属乡镇', '储备物资', '纬度', '经度'],
  rows: [['市救灾物资储备库', '鹿城镇', '冲锋舟×10艘；救生衣 200 件、帐篷:50顶', 25.04, 101.54]],
};
const shelters: SheetData = {
  header: ['场所名称', '所属乡镇', '容纳人数', '已安置人数', '纬度', '经度'],
  rows: [['鹿城小学', '鹿城镇', 800, 0, 25.05, 101.55]],
};
const experts: SheetData = {
  header: ['姓名', '专业领域', '联系电话', '工作单位'],
  rows: [['王工', '地质灾害', '13900000002', '州地质队']],
};

describeStoreBackends((env) => {
  describe('resource import', () => {
    it('plans every kind without writing, commits all rows; a second import and the export change nothing', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw' } });
      const sheets = { 救援队伍: demoTeams(), 物资库: depots, 避难场所: shelters, 专家: experts };
      const preview = await plan(store, sheets);
      expect(preview.errors).toEqual([]);
      expect(preview.counts).toEqual({
        teams: { create: 3, update: 0, unchanged: 0 },
        depots: { create: 1, update: 0, unchanged: 0 },
        shelters: { create: 1, update: 0, unchanged: 0 },
        experts: { create: 1, update: 0, unchanged: 0 },
      });
      expect(await store.resources.teams.list()).toEqual([]);

      await commitResourceImport(store, preview, { file: 'r.xlsx', sha256: 'x', actor });
      const teams = await store.resources.teams.list();
      expect(teams.map((t) => [t.name, t.kind, t.townshipId, t.departmentId, t.status])).toEqual([
        ['东瓜镇民兵应急分队', 'militia', 'donggua', null, 'available'],
        ['市消防救援大队', 'fire_rescue', null, 'dp-yjj', 'available'],
        ['紫溪镇应急分队', 'militia', 'zixi', null, 'available'],
      ]);
      expect((await store.resources.depots.list())[0]?.items).toEqual([
        { name: '冲锋舟', quantity: 10, unit: '艘' },
        { name: '救生衣', quantity: 200, unit: '件' },
        { name: '帐篷', quantity: 50, unit: '顶' },
      ]);
      expect((await store.audit.list())[0]).toMatchObject({ action: 'admin.resources.import', target: 'r.xlsx' });

      const again = await plan(store, sheets);
      expect(again.counts.teams).toEqual({ create: 0, update: 0, unchanged: 3 });
      // The export is a file the import reads back unchanged (and, empty, the template).
      const exported = await readWorkbook(await exportResources(store), '应急资源.xlsx', DEFAULT_IMPORT_LIMITS);
      const roundTrip = await planResourceImport(exported, store);
      expect(roundTrip.errors).toEqual([]);
      expect(Object.values(roundTrip.counts)).toEqual([
        { create: 0, update: 0, unchanged: 3 },
        { create: 0, update: 0, unchanged: 1 },
        { create: 0, update: 0, unchanged: 1 },
        { create: 0, update: 0, unchanged: 1 },
      ]);
      const changed = demoTeams();
      (changed.rows[0] as (string | number)[])[2] = 50;
      expect((await plan(store, { 救援队伍: changed })).counts.teams).toEqual({ create: 0, update: 1, unchanged: 2 });
    });

    it('refuses bad rows with their sheet, row and column, and the file is not written', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw' } });
      const teams = demoTeams();
      const rows = teams.rows as (string | number)[][];
      (rows[0] as (string | number)[])[1] = '飞行队'; // not a team kind
      (rows[1] as (string | number)[])[5] = '不存在镇'; // no such township
      (rows[2] as (string | number)[])[7] = '北纬25'; // not a number
      rows.push([...(rows[2] as (string | number)[])]); // the same name twice
      const badDepots: SheetData = { ...depots, rows: [['库', '鹿城镇', '冲锋舟很多', 25, 101]] };
      const bothUnits: SheetData = {
        ...teams,
        rows: [['双重队', '其他', 5, '', '', '鹿城镇', '公安', 25, 101]],
      };
      // Neither a known sheet name nor known columns (a sheet of shelters' columns would be read as shelters).
      const notes: SheetData = { header: ['备注'], rows: [['—']] };
      const result = await plan(store, { 救援队伍: teams, 物资库: badDepots, 队伍: bothUnits, 杂项: notes });
      expect(result.errors.map((e) => [e.sheet, e.row, e.column, e.code])).toEqual([
        ['救援队伍', 2, '队伍类型', 'invalid'],
        ['救援队伍', 3, '所属乡镇', 'unknown_ref'],
        ['救援队伍', 4, '纬度', 'invalid'],
        ['救援队伍', 5, '队伍名称', 'duplicate'],
        ['物资库', 2, '储备物资', 'invalid'],
        ['队伍', 2, '所属乡镇', 'invalid'],
        ['杂项', 1, null, 'unknown_sheet'],
      ]);
      expect(await store.resources.teams.list()).toEqual([]);
    });
  });
});
