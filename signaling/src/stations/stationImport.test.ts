/**
 * Stations from an XLSX sheet written with exceljs (what an admin fills in Excel): a dry run plans every row,
 * a commit creates new stations with tokens and updates known ones — or, with any row refused, writes nothing.
 */
import ExcelJS from 'exceljs';
import { beforeEach, expect, it } from 'vitest';
import { readWorkbook } from '../admin-import/readWorkbook.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { importStations } from './stationImport.ts';
import { tokenMatches } from './stationTokens.ts';

const HEADER = [
  '站点编号',
  '名称',
  '类型',
  '纬度',
  '经度',
  '所在乡镇',
  '管理单位',
  '上报间隔秒',
  '预警半径公里',
  '警戒水位',
  '保证水位',
  '蓝色1小时',
  '黄色3小时',
  '红色3小时',
  '黄色',
  '红色',
];

async function sheet(rows: (string | number)[][]) {
  const book = new ExcelJS.Workbook();
  const ws = book.addWorksheet('监测站点');
  ws.addRow(HEADER);
  for (const r of rows) ws.addRow(r);
  const data = Buffer.from(await book.xlsx.writeBuffer());
  const [table] = await readWorkbook(data, 'stations.xlsx', { maxBytes: 5_000_000, maxRows: 1000 });
  return table as NonNullable<typeof table>;
}

describeStoreBackends((env) => {
  let store: Store;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
  });

  it('creates rain gauges and water level stations with their thresholds, then updates them from a second file', async () => {
    const first = await sheet([
      ['RG-zixi-01', '紫溪雨量站', '雨量站', 25.0, 101.42, '紫溪镇', '', 300, 5, '', '', 20, 50, 120, '', ''],
      [
        'WL-lucheng-01',
        '青龙河水位站',
        '水位站',
        25.03,
        101.55,
        'lucheng',
        '',
        600,
        3,
        1821,
        1822.5,
        '',
        '',
        '',
        1821,
        1822.5,
      ],
    ]);
    const dry = await importStations(store, first, false);
    expect(dry.rows.map((r) => [r.id, r.action])).toEqual([
      ['RG-zixi-01', 'create'],
      ['WL-lucheng-01', 'create'],
    ]);
    expect(await store.stations.list()).toEqual([]);

    const done = await importStations(store, first, true);
    expect(done.committed).toBe(true);
    const rain = await store.stations.get('RG-zixi-01');
    expect(rain).toMatchObject({
      townshipId: 'zixi',
      ownerTownshipId: 'zixi',
      thresholds: { rain: { blue: { h1: 20 }, yellow: { h3: 50 }, red: { h3: 120 } } },
    });
    expect(await store.stations.get('WL-lucheng-01')).toMatchObject({
      kind: 'water_level',
      warningLevel: 1821,
      thresholds: { value: { yellow: 1821, red: 1822.5 } },
    });
    const token = done.tokens.find((t) => t.id === 'RG-zixi-01')?.token as string;
    expect(tokenMatches(token, (await store.stations.tokenHash('RG-zixi-01')) as string)).toBe(true);

    const second = await sheet([
      ['RG-zixi-01', '紫溪雨量站', '雨量站', 25.0, 101.42, '紫溪镇', '', 300, 5, '', '', 25, 60, 130, '', ''],
    ]);
    const updated = await importStations(store, second, true);
    expect(updated.rows[0]?.action).toBe('update');
    expect(updated.tokens).toEqual([]);
    expect((await store.stations.get('RG-zixi-01'))?.thresholds).toEqual({
      rain: { blue: { h1: 25 }, yellow: { h3: 60 }, red: { h3: 130 } },
    });
  });

  it('writes nothing when a row is refused, naming its reasons', async () => {
    const bad = await sheet([
      ['RG-ok', '好站', '雨量站', 25.0, 101.42, '紫溪镇', '', 300, 5, '', '', 20, 50, 120, '', ''],
      ['RG-bad', '坏站', '气象站', 25.0, 101.42, '不存在镇', '', 300, 5, '', '', '', '', '', '', ''],
      ['RG-ok', '重复', '雨量站', 25.0, 101.42, '紫溪镇', '', 300, 5, '', '', '', '', '', '', ''],
    ]);
    const report = await importStations(store, bad, true);
    expect(report.committed).toBe(false);
    expect(report.rows.map((r) => r.action)).toEqual(['create', 'refused', 'refused']);
    expect(report.rows[1]?.errors.length).toBe(2);
    expect(await store.stations.list()).toEqual([]);
  });
});
