/**
 * Which townships a warning area reaches, and how much of each. A township
 * with an imported boundary is affected when the area overlaps its boundary
 * (by more than a sliver, below), and its covered share is the area of the
 * overlap over the township's own area. A township without a boundary keeps
 * the seat-point rule of `affectedTownships.ts`. Disabled townships are
 * never affected: nobody would acknowledge, and escalation would ring forever.
 *
 * Clipping and areas come from maintained libraries, not hand-written code:
 * the boundary is first cut to the area's bounding box (`@turf/bbox-clip`,
 * exact for the overlap's area and it drops most vertices of a detailed
 * boundary), then intersected with the area by `polygon-clipping`, and the
 * overlap measured by `@turf/area` (geodesic). turf 7's own `@turf/intersect`
 * (polyclip-ts, arbitrary-precision arithmetic) measured 10–25× slower on
 * 2,000-vertex boundaries here (test/bench/boundaries.ts), too slow for a
 * preview redrawn while the officer edits the shape. A circle is clipped as
 * turf's 128-sided polygon (off by < 0.1 % in area).
 */
import type { BoundaryGeometry, LatLon, WarningArea } from '@beacon/protocol';
import { area as geodesicArea } from '@turf/area';
import { bbox } from '@turf/bbox';
import { bboxClip } from '@turf/bbox-clip';
import { circle } from '@turf/circle';
import { polygon } from '@turf/helpers';
import type { BBox, Feature, MultiPolygon, Polygon } from 'geojson';
import polygonClipping, { type Geom } from 'polygon-clipping';
import { createLogger } from '../../logger.ts';
import { areaPredicate, closedRing } from './affectedTownships.ts';

const logger = createLogger('coverage');

export interface CoverageTownship {
  id: string;
  lat: number;
  lon: number;
  enabled: boolean;
}

export interface CoverageBoundary {
  townshipId: string;
  geometry: BoundaryGeometry;
  areaKm2: number;
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: readonly [number, number, number, number];
}

export interface Coverage {
  /** Sorted by id. */
  affectedTownshipIds: string[];
  /** Townships with a boundary only: the share covered, 0–1, 4 decimals. */
  coveredShares: Record<string, number>;
}

/**
 * Overlaps below this share of a township are not counted: an area drawn
 * along a shared border leaves floating-point slivers on the neighbour's side.
 * 0.01 % is one hectare of a 100 km² township.
 */
export const MIN_COVERED_SHARE = 0.0001;

/**
 * The area as a GeoJSON polygon ([lon, lat]); several shapes (a CAP alert's areas) as their
 * union, so a township two overlapping shapes cover is not counted twice.
 */
export function areaFeature(area: WarningArea): Feature<Polygon | MultiPolygon> {
  if (area.type === 'multi') {
    const parts = area.parts.map((part) => areaFeature(part).geometry.coordinates as Geom);
    const union = polygonClipping.union(parts[0] as Geom, ...parts.slice(1));
    return { type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: union } };
  }
  if (area.type === 'circle') {
    return circle([area.center[1], area.center[0]], area.radiusKm, { steps: 128, units: 'kilometers' });
  }
  return polygon([closedRing(area.points).map(([lat, lon]: LatLon) => [lon, lat])]);
}

const disjoint = (a: readonly number[], b: readonly number[]): boolean =>
  (a[2] as number) < (b[0] as number) ||
  (b[2] as number) < (a[0] as number) ||
  (a[3] as number) < (b[1] as number) ||
  (b[3] as number) < (a[1] as number);

/** The boundary's parts cut to the box; a part wholly outside comes back empty and is dropped. */
function partsNear(boundary: CoverageBoundary, box: BBox): Geom | null {
  const clipped = bboxClip(boundary.geometry as Polygon | MultiPolygon, box).geometry.coordinates as unknown[][];
  const parts = clipped.filter((part) => part.length > 0);
  return parts.length === 0 ? null : (parts as Geom);
}

/**
 * The share of `boundary` that `shape` covers, or 0 when they do not overlap.
 * polygon-clipping has thrown on rare degenerate input (edges that the box
 * cut leaves on top of each other): then the whole boundary is clipped instead
 * of the cut one; if that throws too, the caller falls back to the seat point.
 */
export function coveredShare(
  shape: Feature<Polygon | MultiPolygon>,
  shapeBox: BBox,
  boundary: CoverageBoundary,
): number {
  if (disjoint(shapeBox, boundary.bbox)) return 0;
  const near = partsNear(boundary, shapeBox);
  if (!near) return 0;
  const area = shape.geometry.coordinates as Geom;
  let overlap: ReturnType<typeof polygonClipping.intersection>;
  try {
    overlap = polygonClipping.intersection(area, near);
  } catch (err) {
    logger.debug({ err, townshipId: boundary.townshipId }, 'clipping the cut boundary failed, clipping it whole');
    overlap = polygonClipping.intersection(area, boundary.geometry.coordinates as Geom);
  }
  if (overlap.length === 0) return 0;
  const share = geodesicArea({ type: 'MultiPolygon', coordinates: overlap }) / 1e6 / boundary.areaKm2;
  return Math.min(1, Math.round(share * 10_000) / 10_000);
}

/** The covered share, or null when the clipping library could not clip this boundary at all. */
function shareOrNull(
  shape: Feature<Polygon | MultiPolygon>,
  shapeBox: BBox,
  boundary: CoverageBoundary,
): number | null {
  try {
    return coveredShare(shape, shapeBox, boundary);
  } catch (err) {
    logger.warn({ err, townshipId: boundary.townshipId }, 'boundary not clipped, its seat point decides');
    return null;
  }
}

export function warningCoverage(
  area: WarningArea,
  townships: readonly CoverageTownship[],
  boundaries: readonly CoverageBoundary[],
): Coverage {
  const byTownship = new Map(boundaries.map((b) => [b.townshipId, b]));
  const shape = areaFeature(area);
  const shapeBox = bbox(shape);
  const inside = areaPredicate(area);
  const affected: string[] = [];
  const coveredShares: Record<string, number> = {};
  for (const township of townships) {
    if (!township.enabled) continue;
    const boundary = byTownship.get(township.id);
    const share = boundary ? shareOrNull(shape, shapeBox, boundary) : null;
    if (share === null) {
      if (inside([township.lat, township.lon])) affected.push(township.id);
      continue;
    }
    if (share >= MIN_COVERED_SHARE) {
      affected.push(township.id);
      coveredShares[township.id] = share;
    }
  }
  affected.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { affectedTownshipIds: affected, coveredShares };
}
