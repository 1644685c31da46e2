/**
 * Warnings from outside: how fast CAP messages are read whole, drafted and
 * written back (the seven fixtures: OASIS appendix, NWS, DWD, China), and one
 * CAP feed poll end to end — a local http server serving an Atom index of
 * `entries` CAP alerts, of which `concerning` reach the demo city and become
 * drafts (real SQLite store), the rest are for elsewhere and are skipped —
 * then the same index polled again (every entry seen: nothing fetched).
 * Run alone: `npm run ts -- test/bench/capFeeds.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CommandBus } from '../../signaling/src/command/CommandBus.ts';
import { CapIntake } from '../../signaling/src/command/cap/CapIntake.ts';
import { capDraft } from '../../signaling/src/command/cap/capDraft.ts';
import { foreignMessage, foreignMessages } from '../../signaling/src/command/cap/capFixtures.ts';
import { parseCap } from '../../signaling/src/command/cap/capParse.ts';
import { writeCap } from '../../signaling/src/command/cap/capWrite.ts';
import { CapFeedPoller } from '../../signaling/src/command/cap/feeds/CapFeedPoller.ts';
import { OutsideWarnings } from '../../signaling/src/command/cap/OutsideWarnings.ts';
import { WarningDesk } from '../../signaling/src/command/WarningDesk.ts';
import { openStore } from '../../signaling/src/store/index.ts';

const SENT = `${new Date().toISOString().slice(0, 19)}+00:00`;
const EXPIRES = `${new Date(Date.now() + 6 * 3_600_000).toISOString().slice(0, 19)}+00:00`;

function concerning(id: string): string {
  return foreignMessage('cn-rainstorm-chuxiong')
    .replace(/<identifier>[^<]*/, `<identifier>${id}`)
    .replace(/<sent>[^<]*/, `<sent>${SENT}`)
    .replaceAll(/<effective>[^<]*/g, `<effective>${SENT}`)
    .replaceAll(/<expires>[^<]*/g, `<expires>${EXPIRES}`);
}

const elsewhere = (id: string) => foreignMessage('dwd-frost-de-en').replace(/<identifier>[^<]*/, `<identifier>${id}`);

export async function runCapFeedBench(opts: { rounds: number; entries: number; concerning: number }) {
  const fixtures = Object.values(foreignMessages());
  const start = performance.now();
  for (let round = 0; round < opts.rounds; round++) {
    for (const xml of fixtures) {
      const alert = parseCap(xml);
      capDraft(alert);
      writeCap(alert);
    }
  }
  const perMessageMs = (performance.now() - start) / (opts.rounds * fixtures.length);

  const pages = new Map<string, string>();
  const ids = Array.from({ length: opts.entries }, (_, i) => `bench-${i}`);
  for (const [i, id] of ids.entries())
    pages.set(`/cap/${id}.xml`, i < opts.concerning ? concerning(id) : elsewhere(id));
  const entries = ids
    .map(
      (id) =>
        `<entry><id>${id}</id><updated>${SENT}</updated><link type="application/cap+xml" href="/cap/${id}.xml"/></entry>`,
    )
    .join('');
  pages.set(
    '/feed.atom',
    `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>b</title>${entries}</feed>`,
  );
  const server = createServer((req, res) => {
    const body = pages.get(req.url ?? '');
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/xml' }).end(body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = await mkdtemp(join(tmpdir(), 'beacon-bench-cap-'));
  const store = await openStore({ file: join(dir, 'beacon.sqlite'), seed: { demoPassword: 'bench' } });
  const bus = new CommandBus(store);
  const intake = new CapIntake(store, new OutsideWarnings(bus, new WarningDesk(bus)));
  const poller = new CapFeedPoller(store, intake, { tickMs: 3_600_000, maxEntries: opts.entries });
  try {
    await store.area.set({ name: '楚雄市', code: '532301', lat: 25.03, lon: 101.55 });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.atom`;
    const feed = await store.capFeeds.create({ id: 'cf-bench', name: 'bench', url, pollSeconds: 3600 });
    const t0 = performance.now();
    const first = await poller.poll(feed);
    const firstMs = performance.now() - t0;
    const t1 = performance.now();
    await poller.poll(feed);
    const againMs = performance.now() - t1;
    return {
      'parse + draft + write, ms per message': Math.round(perMessageMs * 100) / 100,
      [`first poll: ${opts.entries} entries (ms)`]: Math.round(firstMs),
      drafted: first.drafted,
      'read, skipped (elsewhere)': first.messages - first.drafted,
      'ms per entry': Math.round((firstMs / opts.entries) * 10) / 10,
      'poll again, all seen (ms)': Math.round(againMs),
    };
  } finally {
    poller.close();
    await store.close();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table([await runCapFeedBench({ rounds: 200, entries: 200, concerning: 20 })]);
}
