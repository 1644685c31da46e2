/**
 * Duty figures: importing a month's roster from XLSX (exceljs parse alone,
 * and end to end: parse, replace the month in SQLite, audit) and assembling
 * a shift handover from a busy store. Run alone: `npm run ts -- test/bench/duty.ts`.
 */
import { pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import { assembleHandover } from '../../signaling/src/duty/assembleHandover.ts';
import { DutyDesk } from '../../signaling/src/duty/DutyDesk.ts';
import { DEFAULT_DUTY_SHIFTS } from '../../signaling/src/duty/DutyOptions.ts';
import { readRosterWorkbook } from '../../signaling/src/duty/rosterWorkbook.ts';
import { openStore } from '../../signaling/src/store/index.ts';

/** A December roster: both shifts of 31 days, a leader and three officers each, by username. */
async function monthWorkbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('排班');
  sheet.addRow(['日期', '班次', '带班领导', '值班员']);
  for (let day = 1; day <= 31; day++) {
    for (const shift of ['白班', '夜班'])
      sheet.addRow([`2026-12-${String(day).padStart(2, '0')}`, shift, 'chair', 'duty、admin']);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

const mean = async (runs: number, fn: () => Promise<unknown>): Promise<number> => {
  await fn();
  const start = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  return Math.round(((performance.now() - start) / runs) * 10) / 10;
};

export async function runDutyBench(opts: { runs: number; incidents: number; logEntries: number }) {
  const file = await monthWorkbook();
  const store = await openStore({ file: ':memory:', seed: { demoPassword: 'bench-only' } });
  try {
    const duty = new DutyDesk(store);
    const admin = {
      userId: 'u-admin',
      username: 'admin',
      displayName: '管理员',
      role: 'admin' as const,
      townshipId: null,
    };
    const users = await store.users.list();
    const parseMs = await mean(opts.runs, () =>
      readRosterWorkbook(file, { month: '2026-12', shifts: DEFAULT_DUTY_SHIFTS, people: users }),
    );
    const importMs = await mean(opts.runs, () => duty.roster.importMonth(admin, '2026-12', file, false));
    for (let i = 0; i < opts.logEntries; i++)
      await duty.writeLog(admin, { category: 'general', text: `值班记录 ${i}` });
    const now = new Date().toISOString();
    for (let i = 0; i < opts.incidents; i++) {
      await store.incidents.create({
        id: `bench-${i}`,
        departmentIds: [],
        type: 'flood',
        level: 'IV',
        title: `事件 ${i}`,
        description: '',
        reporter: '',
        townshipId: 'lucheng',
        location: [25.04, 101.54],
        status: 'responding',
        createdAt: now,
        createdBy: 'u-duty',
        updatedAt: now,
      });
    }
    const assembleMs = await mean(opts.runs, () => assembleHandover(store, new Date()));
    return {
      'XLSX bytes': file.length,
      slots: 62,
      'parse ms': parseMs,
      'import ms (parse + write + audit)': importMs,
      [`assemble ms (${opts.incidents} open incidents, ${opts.logEntries} log entries)`]: assembleMs,
    };
  } finally {
    await store.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table([await runDutyBench({ runs: 20, incidents: 100, logEntries: 200 })]);
}
