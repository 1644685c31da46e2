/**
 * The admin's user list with 10,000 accounts: the REST listing (first page,
 * a search, a deep page) and the console's users page in Chromium (first
 * render after the menu click, a search typed and queried).
 *
 * The accounts are written straight into a fresh data directory's store
 * before Beacon starts on it (as an import would leave them), all sharing one
 * password hash: hashing 10,000 passwords would time scrypt, not the list.
 *
 * Run alone: `npm run ts -- test/bench/adminList.ts` (also part of `npm run bench`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../signaling/src/store/index.ts';
import { DEMO_PASSWORD, startBeaconProcess } from '../src/beaconProcess.ts';
import { launchChromium, loginThroughUi, newTerminalContext } from '../src/browser.ts';
import { apiJson, loginApi } from '../src/signaling.ts';

const ROLES = ['township', 'department', 'duty_officer', 'chair'] as const;

/** Seeds the demo data, then `count` users `bench-user-<i>` spread over the demo townships and departments. */
async function seedUsers(dataDir: string, count: number): Promise<void> {
  const file = join(dataDir, 'beacon.sqlite');
  const store = await openStore({ file, seed: { demoPassword: DEMO_PASSWORD, demoPasswordChosen: true } });
  await store.close();
  const db = new Database(file);
  const { password_hash: hash } = db.prepare("SELECT password_hash FROM users WHERE username = 'chair'").get() as {
    password_hash: string;
  };
  const townships = (db.prepare('SELECT id FROM townships').all() as { id: string }[]).map((t) => t.id);
  const departments = (db.prepare('SELECT id FROM departments').all() as { id: string }[]).map((d) => d.id);
  const insert = db.prepare(
    `INSERT INTO users (id, username, display_name, role, township_id, department_id, phone, password_hash, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const now = new Date().toISOString();
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const role = ROLES[i % ROLES.length] as (typeof ROLES)[number];
      const township = role === 'township' ? townships[i % townships.length] : null;
      const department = role === 'department' ? departments[i % departments.length] : null;
      const phone = `139${String(i).padStart(8, '0')}`;
      insert.run(`bench-u-${i}`, `bench-user-${i}`, `测试用户${i}`, role, township, department, phone, hash, now);
    }
  })();
  db.close();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? Number.NaN;
}

async function timeApi(url: string, token: string, path: string, runs: number) {
  const samples: number[] = [];
  let total = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const found = await apiJson<{ total: number }>(url, token, path);
    samples.push(performance.now() - started);
    total = found.total;
  }
  samples.sort((a, b) => a - b);
  return {
    p50Ms: Math.round(percentile(samples, 0.5) * 10) / 10,
    p95Ms: Math.round(percentile(samples, 0.95) * 10) / 10,
    total,
  };
}

export async function runAdminList(opts: { users: number; runs: number }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'beacon-admin-list-bench-'));
  await seedUsers(dataDir, opts.users);
  const beacon = await startBeaconProcess({ dataDir });
  const browser = await launchChromium();
  try {
    const { token } = await loginApi(beacon.url, 'admin');
    const api = [
      {
        request: 'first page (20)',
        ...(await timeApi(beacon.url, token, '/api/v1/admin/users?page=1&pageSize=20', opts.runs * 10)),
      },
      {
        request: 'search "用户9876"',
        ...(await timeApi(
          beacon.url,
          token,
          `/api/v1/admin/users?q=${encodeURIComponent('用户9876')}`,
          opts.runs * 10,
        )),
      },
      {
        request: 'page 400 (20)',
        ...(await timeApi(beacon.url, token, '/api/v1/admin/users?page=400&pageSize=20', opts.runs * 10)),
      },
    ];
    const firstRender: number[] = [];
    const search: number[] = [];
    for (let run = 0; run < opts.runs; run++) {
      const context = await newTerminalContext(browser);
      const page = await context.newPage();
      await loginThroughUi(page, beacon.url, 'admin', DEMO_PASSWORD, '#/rooms');
      await page.getByTestId('nav-admin').click();
      await page.getByTestId('admin-page').waitFor();
      let started = Date.now();
      await page.getByTestId('admin-menu-users').click();
      // Rendered: 20 rows of the list and the total of every account in the pager.
      await page.waitForFunction(
        `document.querySelectorAll('[data-testid="admin-list-users"] .el-table__body tr').length >= 20 &&
         Number((document.querySelector('.el-pagination__total')?.textContent ?? '').replace(/\\D/g, '')) >= ${opts.users}`,
        undefined,
        { timeout: 60_000, polling: 20 },
      );
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      firstRender.push(Date.now() - started);
      await page.getByTestId('admin-search').fill('bench-user-9876');
      started = Date.now();
      await page.getByTestId('admin-query').click();
      await page.waitForFunction(
        `(() => { const rows = document.querySelectorAll('[data-testid="admin-list-users"] .el-table__body tr');
          return rows.length === 1 && /bench-user-9876/.test(rows[0].textContent ?? ''); })()`,
        undefined,
        { timeout: 60_000, polling: 20 },
      );
      search.push(Date.now() - started);
      await context.close();
    }
    firstRender.sort((a, b) => a - b);
    search.sort((a, b) => a - b);
    return {
      api,
      console: {
        users: opts.users,
        runs: opts.runs,
        firstRenderP50Ms: percentile(firstRender, 0.5),
        firstRenderMaxMs: firstRender.at(-1),
        searchP50Ms: percentile(search, 0.5),
        searchMaxMs: search.at(-1),
      },
    };
  } finally {
    await browser.close();
    await beacon.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const users = Number(process.env.BENCH_ADMIN_USERS ?? 10_000);
  const result = await runAdminList({ users, runs: Number(process.env.BENCH_ADMIN_RUNS ?? 3) });
  console.log(`## Admin user list: ${users} accounts (SQLite)`);
  console.table(result.api);
  console.table([result.console]);
}
