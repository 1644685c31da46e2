/**
 * The CAP/XML and uploads part of `npm run fuzz`: mutated CAP alerts and XML
 * bombs to the CAP import, hostile workbooks to the organisation import (dry
 * run), hostile photos to the report photo upload, hostile GeoJSON to the
 * boundaries. Each request has a time bound (FUZZ_REQUEST_MS); a 5xx, a
 * request over the bound or a dead Beacon is a finding. Beacon's memory is
 * read before and after.
 */

import type { BeaconProcess } from '../src/beaconProcess.ts';
import type { FuzzOptions } from './fuzzOptions.ts';
import { HeapProbe } from './heapProbe.ts';
import { httpSend } from './httpSend.ts';
import { Random } from './random.ts';
import { RestTokens } from './restTokens.ts';
import { boundaryCases, photoCases, type UploadCase, workbookCases } from './uploadBombs.ts';
import { capDocument, mutateCap, xmlBombs } from './xmlBombs.ts';

/** Mutated CAP alerts sent (besides the named bombs). */
const CAP_MUTANTS = 300;

export async function xmlSection(beacon: BeaconProcess, options: FuzzOptions, jwtSecret: string): Promise<boolean> {
  const tokens = await RestTokens.create(beacon.url, jwtSecret);
  const random = new Random(options.seed + 2);
  const heap = await HeapProbe.connect(beacon.output(), beacon.pid);
  const before = await heap.sample();
  const rows: { target: string; case: string; status: string; ms: number }[] = [];
  const capStatuses: Record<string, number> = {};
  let findings = 0;
  let slowest = 0;

  const send = async (route: string, method: string, token: string, c: UploadCase) => {
    const outcome = await httpSend(
      beacon.url,
      {
        method,
        path: `${route}${c.query ?? ''}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': c.contentType },
        body: c.body,
      },
      options.FUZZ_REQUEST_MS,
    );
    slowest = Math.max(slowest, outcome.ms);
    const status = 'status' in outcome ? `${outcome.status} ${codeOf(outcome.body)}` : outcome.error;
    const bad = !('status' in outcome) || outcome.status >= 500;
    if (bad) {
      findings++;
      console.log(`FINDING ${method} ${route} "${c.name}" → ${status} (${outcome.ms} ms)`);
    }
    return { status, ms: outcome.ms };
  };

  const cap = capDocument();
  const capCase = (name: string, xml: string): UploadCase => ({
    name,
    body: Buffer.from(xml, 'utf8'),
    contentType: 'application/xml',
  });
  const duty = await tokens.of('duty');
  for (const bomb of [{ name: 'the CAP alert as exported', xml: cap }, ...xmlBombs()]) {
    rows.push({
      target: 'CAP import',
      case: bomb.name,
      ...(await send('/api/v1/warnings/import', 'POST', duty, capCase(bomb.name, bomb.xml))),
    });
  }
  for (let i = 0; i < CAP_MUTANTS; i++) {
    // A fresh identifier each: a CAP alert already imported is refused as such, before the mutation is looked at.
    const mutant = mutateCap(
      random,
      cap.replace('<identifier>beacon-w1</identifier>', `<identifier>fuzz-${i}</identifier>`),
    );
    const { status } = await send('/api/v1/warnings/import', 'POST', duty, capCase(mutant.name, mutant.xml));
    capStatuses[status] = (capStatuses[status] ?? 0) + 1;
  }
  const admin = await tokens.admin();
  for (const c of await workbookCases()) {
    rows.push({
      target: 'org import (dry run)',
      case: c.name,
      ...(await send('/api/v1/admin/import', 'POST', admin, c)),
    });
  }
  const township = await tokens.of('lucheng');
  for (const c of await photoCases()) {
    rows.push({ target: 'report photo', case: c.name, ...(await send('/api/v1/reports/photos', 'POST', township, c)) });
  }
  for (const c of boundaryCases()) {
    rows.push({ target: 'boundaries', case: c.name, ...(await send('/api/v1/admin/boundaries', 'PUT', admin, c)) });
  }
  console.table(rows);
  console.log(`${CAP_MUTANTS} mutated CAP alerts, answers:`);
  console.table(capStatuses);
  const after = await heap.sample();
  heap.close();
  console.log(
    `Slowest answer ${slowest} ms (bound ${options.FUZZ_REQUEST_MS} ms); findings: ${findings}; Beacon after a full GC: ` +
      `RSS ${before.rssMb} → ${after.rssMb} MB, heap ${before.heapUsedMb} → ${after.heapUsedMb} MB`,
  );
  return findings === 0;
}

/** The error code of an error body (read from its start: only 4 kB are kept); otherwise the body's start. */
function codeOf(body: string): string {
  const code = /^\{"error":\{"code":"([a-z_]+)"/.exec(body)?.[1];
  if (code) return body.length >= 4_000 ? `${code} (answer over 4 kB)` : code;
  return body === '' || body.startsWith('{') ? '' : `not an error body: ${body.slice(0, 80)}`;
}
