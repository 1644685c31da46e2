/**
 * Likely duplicates in the inbox (重复报送): two townships or departments
 * often report one event. Chains of the same incident type whose events
 * occurred close in time and place are flagged on both sides; the duty
 * officer decides (merge or not) — the flag only points.
 */
import type { ReportChainView } from '@beacon/protocol';

export interface DuplicateRule {
  /** Events this far apart or nearer are "the same place" (default 5 km). */
  withinKm: number;
  /** Events occurring this close in time are "the same time" (default 3 h: a second unit often reports hours later). */
  withinMinutes: number;
}

export const DEFAULT_DUPLICATE_RULE: DuplicateRule = { withinKm: 5, withinMinutes: 180 };

const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

/**
 * Great-circle distance (haversine). Written here because the console has no geo library and Leaflet's
 * `distanceTo` needs a DOM, which this module (and its unit test) must run without.
 */
export function distanceKm(a: readonly [number, number], b: readonly [number, number]): number {
  const dLat = rad(b[0] - a[0]);
  const dLon = rad(b[1] - a[1]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

type Candidate = Pick<ReportChainView, 'id' | 'type' | 'occurredAt' | 'location' | 'mergedInto' | 'incidentId'>;

function alike(a: Candidate, b: Candidate, rule: DuplicateRule): boolean {
  if (a.id === b.id || a.type !== b.type) return false;
  // Merged ones are settled; chains of one incident are joined already.
  if (a.mergedInto || b.mergedInto) return false;
  if (a.incidentId && a.incidentId === b.incidentId) return false;
  return distanceKm(a.location, b.location) <= rule.withinKm;
}

/**
 * Per chain id, the other chains it likely duplicates (in the list's order). Sorted by time of occurrence first, so
 * each chain is compared only with those inside the time window: an inbox of hundreds re-flags on every push.
 */
export function likelyDuplicates<T extends Candidate>(
  chains: readonly T[],
  rule: DuplicateRule = DEFAULT_DUPLICATE_RULE,
): Map<string, T[]> {
  const order = new Map(chains.map((c, i) => [c.id, i]));
  const byTime = chains.map((chain) => ({ chain, at: Date.parse(chain.occurredAt) })).sort((a, b) => a.at - b.at);
  const windowMs = rule.withinMinutes * 60_000;
  const found = new Map<string, T[]>();
  const add = (to: T, other: T) => found.set(to.id, [...(found.get(to.id) ?? []), other]);
  for (const [i, a] of byTime.entries()) {
    for (let j = i + 1; j < byTime.length; j++) {
      const b = byTime[j] as (typeof byTime)[number];
      if (b.at - a.at > windowMs) break;
      if (!alike(a.chain, b.chain, rule)) continue;
      add(a.chain, b.chain);
      add(b.chain, a.chain);
    }
  }
  const inListOrder = (x: T, y: T) => (order.get(x.id) ?? 0) - (order.get(y.id) ?? 0);
  for (const list of found.values()) list.sort(inListOrder);
  return found;
}
