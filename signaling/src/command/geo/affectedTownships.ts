/**
 * The geography of warnings by township points: which townships' points an
 * area covers (the rule for townships without an imported boundary; see
 * coverage.ts), and which township an incident placed on the map belongs to.
 * Pure functions.
 *
 * Protocol coordinates are `[lat, lon]`; turf works in GeoJSON `[lon, lat]`.
 * The swap happens only in `toGeoJson` below so it cannot be forgotten.
 */

import type { LatLon, WarningArea } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { point, polygon } from '@turf/helpers';

export interface TownshipPoint {
  id: string;
  lat: number;
  lon: number;
}

/** Mean Earth radius (IUGG), the one @turf/circle uses, so a drawn circle and this test agree. */
const EARTH_RADIUS_KM = 6371.0088;

function toGeoJson([lat, lon]: LatLon): [number, number] {
  return [lon, lat];
}

function samePoint(a: LatLon, b: LatLon): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/**
 * Closes a polygon ring (first = last), as CAP and GeoJSON want. A ring with
 * fewer than 3 distinct points encloses nothing: refused rather than stored.
 */
export function closedRing(points: readonly LatLon[]): LatLon[] {
  const distinct = new Set(points.map(([lat, lon]) => `${lat},${lon}`));
  if (distinct.size < 3) {
    throw BeaconError.badRequest(`area: a polygon needs at least 3 distinct points (got ${distinct.size})`);
  }
  const ring = points.map(([lat, lon]): LatLon => [lat, lon]);
  const first = ring[0] as LatLon;
  if (!samePoint(first, ring[ring.length - 1] as LatLon)) ring.push([first[0], first[1]]);
  return ring;
}

/** Haversine great-circle distance in km. */
export function distanceKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * A membership test for the area, built once (the ring is closed and converted
 * a single time). A point on a polygon's edge counts as inside: better to warn
 * a township on the line than to miss it.
 */
export function areaPredicate(area: WarningArea): (at: LatLon) => boolean {
  if (area.type === 'multi') {
    const parts = area.parts.map(areaPredicate);
    return (at) => parts.some((inside) => inside(at));
  }
  if (area.type === 'circle') return (at) => distanceKm(area.center, at) <= area.radiusKm;
  const shape = polygon([closedRing(area.points).map(toGeoJson)]);
  return (at) => booleanPointInPolygon(point(toGeoJson(at)), shape);
}

/** Townships whose point lies inside the area (polygon: point-in-polygon; circle: great-circle distance ≤ radius). Sorted by id. */
export function affectedTownships(area: WarningArea, townships: readonly TownshipPoint[]): string[] {
  const inside = areaPredicate(area);
  return townships
    .filter((t) => inside([t.lat, t.lon]))
    .map((t) => t.id)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The township whose point is nearest (for incidents placed on the map without a township); ties go to the smaller id. */
export function nearestTownship(at: LatLon, townships: readonly TownshipPoint[]): string | null {
  let best: { id: string; km: number } | null = null;
  for (const t of townships) {
    const km = distanceKm(at, [t.lat, t.lon]);
    if (best === null || km < best.km || (km === best.km && t.id < best.id)) best = { id: t.id, km };
  }
  return best?.id ?? null;
}
