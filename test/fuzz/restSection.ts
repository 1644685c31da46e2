/**
 * The REST part of `npm run fuzz`: every route of the router stack
 * (restRoutes.ts), FUZZ_REST_PER_ROUTE malformed requests each
 * (restRequests.ts). Any 5xx, and any request over the time bound, is a
 * finding printed with the request that caused it.
 */
import type { BeaconProcess } from '../src/beaconProcess.ts';
import type { FuzzOptions } from './fuzzOptions.ts';
import { httpSend } from './httpSend.ts';
import { IdPool } from './idPool.ts';
import { Random } from './random.ts';
import { makeRequest } from './restRequests.ts';
import { listRoutes } from './restRoutes.ts';
import { RestTokens } from './restTokens.ts';

/** The fuzzer's own accounts: not handed to routes that disable or re-password an account. */
const OWN_ACCOUNTS = new Set(['u-admin', 'u-chair', 'u-duty', 'u-lucheng']);
const MAX_PRINTED = 25;
/**
 * A request the server refuses before reading its body (413 from the declared length) may see its
 * connection closed while still writing: ECONNRESET/EPIPE there is the refusal, not a failure (a
 * crash shows in the process check instead).
 */
/** Requests in flight at once. */
const PARALLEL = 8;

export async function restSection(beacon: BeaconProcess, options: FuzzOptions, jwtSecret: string): Promise<boolean> {
  const routes = await listRoutes();
  const tokens = await RestTokens.create(beacon.url, jwtSecret);
  const ids = await knownIds(beacon.url, tokens);
  const random = new Random(options.seed + 1);
  const statuses: Record<string, number> = {};
  const byTokenKind: Record<string, Record<string, number>> = {};
  const findings: string[] = [];
  let sent = 0;
  let slowest = 0;
  const started = performance.now();
  const jobs = routes.flatMap((route) => Array.from({ length: options.FUZZ_REST_PER_ROUTE }, () => route));
  const worker = async () => {
    for (let route = jobs.shift(); route; route = jobs.shift()) {
      const req = makeRequest(random, route, ids);
      const token = await tokens.token(random, req.tokenKind);
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (req.contentType) headers['content-type'] = req.contentType;
      const outcome = await httpSend(beacon.url, { ...req, headers }, options.FUZZ_REQUEST_MS);
      sent++;
      slowest = Math.max(slowest, outcome.ms);
      const key =
        'status' in outcome
          ? String(outcome.status)
          : outcome.error.startsWith('not sendable')
            ? 'not sendable'
            : outcome.error;
      statuses[key] = (statuses[key] ?? 0) + 1;
      const kinds = byTokenKind[req.tokenKind] ?? {};
      byTokenKind[req.tokenKind] = kinds;
      const cls = 'status' in outcome ? `${String(outcome.status)[0]}xx` : 'no answer';
      kinds[cls] = (kinds[cls] ?? 0) + 1;
      const bad =
        'status' in outcome ? outcome.status >= 500 : !key.startsWith('not sendable') && !/ECONNRESET|EPIPE/.test(key);
      if (bad) {
        findings.push(
          `${route.method} ${req.path.slice(0, 200)} token=${req.tokenKind} type=${req.contentType} body=${req.bodyKind} → ` +
            ('status' in outcome ? `${outcome.status} ${outcome.body.slice(0, 200)}` : outcome.error),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${routes.length} routes from the router stack, ${sent} requests (${options.FUZZ_REST_PER_ROUTE} per route) ` +
      `in ${seconds.toFixed(1)} s; slowest answer ${slowest} ms`,
  );
  console.log('Statuses:');
  console.table(Object.fromEntries(Object.entries(statuses).sort((a, b) => b[1] - a[1])));
  console.log('Status class by token kind:');
  console.table(byTokenKind);
  console.log(`5xx or no answer within ${options.FUZZ_REQUEST_MS} ms (findings): ${findings.length}`);
  for (const finding of findings.slice(0, MAX_PRINTED)) console.log(`FINDING ${finding}`);
  return findings.length === 0;
}

async function knownIds(url: string, tokens: RestTokens): Promise<IdPool> {
  const ids = new IdPool();
  const token = await tokens.admin();
  const lists = ['/api/v1/rooms', '/api/v1/townships', '/api/v1/warnings', '/api/v1/incidents', '/api/v1/admin/users'];
  for (const path of [...lists, '/api/v1/admin/departments', '/api/v1/reports', '/api/v1/duty/handovers']) {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) continue;
    const list = (await res.json()) as unknown;
    if (Array.isArray(list))
      ids.learn({ list: list.filter((item: { id?: unknown }) => !OWN_ACCOUNTS.has(String(item?.id))) });
  }
  return ids;
}
