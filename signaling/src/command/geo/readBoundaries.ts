/**
 * Reads an uploaded boundary file: GeoJSON text → the features' geometries,
 * checked, with every problem as a `BoundaryIssue` naming the feature index
 * and the field. Problems with the file as a whole (not JSON, not a
 * FeatureCollection, too large) throw `boundary_invalid` at once: there is
 * nothing per feature to report.
 *
 * What is checked, per feature: a Polygon or MultiPolygon geometry; nested
 * arrays of `[lon, lat]` numbers (zod, at the edge); longitude within ±180
 * and latitude within ±90; each linear ring closed with at least 4
 * positions and not crossing itself (sweep line, O(n log n), so a detailed
 * boundary is still cheap); a non-zero area. Holes that cross their shell
 * and parts of a MultiPolygon that overlap are not looked for.
 */

import {
  BeaconError,
  BOUNDARY_LIMITS,
  type BoundaryGeometry,
  type BoundaryIssue,
  type BoundaryIssueCode,
} from '@beacon/protocol';
import { area as geodesicArea } from '@turf/area';
import { bbox } from '@turf/bbox';
import type { Feature, Polygon } from 'geojson';
import sweepline from 'sweepline-intersections';
import { z } from 'zod';

/** A feature whose geometry passed every check. */
export interface ReadBoundary {
  index: number;
  geometry: BoundaryGeometry;
  properties: Record<string, unknown>;
  areaKm2: number;
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: [number, number, number, number];
}

/** Every feature's properties (also of refused geometries: matching still reports them). */
export interface ReadFile {
  boundaries: ReadBoundary[];
  properties: Record<string, unknown>[];
  featureCount: number;
  issues: BoundaryIssue[];
}

const ISSUE_TEXT: Record<BoundaryIssueCode, string> = {
  not_json: '不是 JSON / not JSON',
  not_feature_collection: '不是 GeoJSON FeatureCollection / not a GeoJSON FeatureCollection',
  too_large: '文件过大 / file too large',
  too_many_features: '要素过多 / too many features',
  unsupported_crs: '坐标系须为 WGS84（CRS84/EPSG:4326）/ the CRS must be WGS84 (CRS84/EPSG:4326)',
  not_feature: '不是 Feature / not a Feature',
  not_polygon: '几何不是面（Polygon/MultiPolygon）/ the geometry is not a Polygon or MultiPolygon',
  bad_coordinates: '坐标格式有误，应为 [经度, 纬度] / malformed coordinates, expected [lon, lat] numbers',
  coordinate_out_of_range:
    '坐标超出范围（经度 ±180，纬度 ±90；GeoJSON 为 [经度, 纬度]）/ coordinate out of range (lon ±180, lat ±90; GeoJSON is [lon, lat])',
  ring_too_short: '环至少需要 4 个点 / a ring needs at least 4 positions',
  ring_not_closed: '环未闭合（首点须等于末点）/ ring not closed (the last position must equal the first)',
  ring_self_intersects: '环自相交 / the ring crosses itself',
  zero_area: '面积为零 / the geometry encloses no area',
  no_key: '缺少编码或名称属性 / no code or name property',
  no_match: '没有对应的乡镇 / matches no township',
  ambiguous_match: '名称对应多个乡镇，请给出编码 / the name matches several townships: give the code',
  duplicate_township: '该乡镇在文件中已出现 / a second feature for this township',
};

/** `features[3].geometry: 环未闭合 / ring not closed (…)` */
export function boundaryIssue(
  code: BoundaryIssueCode,
  index: number | null,
  field: string,
  detail?: string,
): BoundaryIssue {
  const text = ISSUE_TEXT[code];
  return { code, index, field, message: `${field}: ${text}${detail ? ` (${detail})` : ''}` };
}

/** A whole-file refusal: `boundary_invalid`, with the field and the issue. */
export function fileError(code: BoundaryIssueCode, field: string, detail?: string): BeaconError {
  const issue = boundaryIssue(code, null, field, detail);
  const err = new BeaconError('boundary_invalid', issue.message);
  err.field = field;
  return err;
}

const position = z.array(z.number()).min(2).max(3);
const ring = z.array(position);
const polygonSchema = z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) });
const multiPolygonSchema = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(z.array(ring).min(1)).min(1),
});
const collectionSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(z.unknown()),
  crs: z.unknown().optional(),
});
const MIN_AREA_KM2 = 1e-6;
const WGS84 = /^(urn:ogc:def:crs:OGC:1\.3:CRS84|urn:ogc:def:crs:EPSG::4326|EPSG:4326)$/i;

/**
 * sweepline-intersections is CommonJS with an ES-style declaration: Node's default import is the
 * function itself, while the declaration promises a namespace with `default`. Accept either.
 */
type FindIntersections = (geojson: Feature<Polygon>, ignoreSelfIntersections: boolean) => [number, number][];
const sweeplineExport = sweepline as unknown as FindIntersections | { default: FindIntersections };
const findIntersections: FindIntersections =
  typeof sweeplineExport === 'function' ? sweeplineExport : sweeplineExport.default;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkCrs(crs: unknown): void {
  if (crs === undefined || crs === null) return;
  const name = isRecord(crs) && isRecord(crs.properties) ? crs.properties.name : undefined;
  if (typeof name !== 'string' || !WGS84.test(name)) {
    throw fileError('unsupported_crs', 'crs', typeof name === 'string' ? name : undefined);
  }
}

/** Parses the text and checks the FeatureCollection's shape; throws `boundary_invalid` for the file. */
export function parseCollection(text: string): unknown[] {
  if (Buffer.byteLength(text) > BOUNDARY_LIMITS.maxBytes) {
    throw fileError('too_large', 'body', `> ${BOUNDARY_LIMITS.maxBytes} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fileError('not_json', 'body', (error as Error).message);
  }
  const parsed = collectionSchema.safeParse(json);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.map(String).join('.') || 'type';
    throw fileError('not_feature_collection', path);
  }
  checkCrs(parsed.data.crs);
  if (parsed.data.features.length > BOUNDARY_LIMITS.maxFeatures) {
    throw fileError('too_many_features', 'features', `${parsed.data.features.length} > ${BOUNDARY_LIMITS.maxFeatures}`);
  }
  return parsed.data.features;
}

/** The rings of a checked geometry with their paths under `coordinates`. */
function ringsOf(geometry: BoundaryGeometry): { path: string; ring: number[][] }[] {
  if (geometry.type === 'Polygon') return geometry.coordinates.map((ring, r) => ({ path: `[${r}]`, ring }));
  return geometry.coordinates.flatMap((polygon, p) => polygon.map((ring, r) => ({ path: `[${p}][${r}]`, ring })));
}

function ringIssue(ring: number[][], at: string, index: number): BoundaryIssue | null {
  for (const [i, [lon, lat]] of ring.entries()) {
    if (Math.abs(lon as number) > 180 || Math.abs(lat as number) > 90) {
      return boundaryIssue('coordinate_out_of_range', index, `${at}[${i}]`, `[${lon}, ${lat}]`);
    }
  }
  if (ring.length < 4) return boundaryIssue('ring_too_short', index, at, `${ring.length}`);
  const first = ring[0] as number[];
  const last = ring[ring.length - 1] as number[];
  if (first[0] !== last[0] || first[1] !== last[1]) return boundaryIssue('ring_not_closed', index, at);
  const crossings = findIntersections(
    { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } },
    false,
  );
  if (crossings.length > 0) {
    const [lon, lat] = crossings[0] as [number, number];
    return boundaryIssue('ring_self_intersects', index, at, `[${lon.toFixed(6)}, ${lat.toFixed(6)}]`);
  }
  return null;
}

/** Checks one feature; returns the boundary or the first issue found in it. */
export function readFeature(feature: unknown, index: number): ReadBoundary | BoundaryIssue {
  const at = `features[${index}]`;
  if (!isRecord(feature) || feature.type !== 'Feature') return boundaryIssue('not_feature', index, `${at}.type`);
  const geometry = feature.geometry;
  const type = isRecord(geometry) ? geometry.type : null;
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    return boundaryIssue('not_polygon', index, `${at}.geometry.type`, String(type ?? 'null'));
  }
  const parsed = (type === 'Polygon' ? polygonSchema : multiPolygonSchema).safeParse(geometry);
  if (!parsed.success) {
    const path = (parsed.error.issues[0]?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`));
    return boundaryIssue('bad_coordinates', index, `${at}.geometry${path.join('')}`);
  }
  // 2D from here on: an altitude (third number) says nothing about the outline.
  const flat = stripAltitude(parsed.data as BoundaryGeometry);
  for (const { path, ring } of ringsOf(flat)) {
    const issue = ringIssue(ring, `${at}.geometry.coordinates${path}`, index);
    if (issue) return issue;
  }
  const areaKm2 = geodesicArea(flat) / 1e6;
  // Below a square metre: points on one line (the geodesic sum leaves rounding noise, never exactly 0).
  if (!(areaKm2 >= MIN_AREA_KM2)) return boundaryIssue('zero_area', index, `${at}.geometry`);
  return {
    index,
    geometry: flat,
    properties: isRecord(feature.properties) ? feature.properties : {},
    areaKm2,
    bbox: bbox(flat) as [number, number, number, number],
  };
}

function stripAltitude(geometry: BoundaryGeometry): BoundaryGeometry {
  const ring2d = (ring: number[][]) => ring.map((p) => [p[0], p[1]] as [number, number]);
  return geometry.type === 'Polygon'
    ? { type: 'Polygon', coordinates: geometry.coordinates.map(ring2d) }
    : { type: 'MultiPolygon', coordinates: geometry.coordinates.map((polygon) => polygon.map(ring2d)) };
}

/** Reads the whole file; throws `boundary_invalid` only for the file as a whole. */
export function readBoundaries(text: string): ReadFile {
  const features = parseCollection(text);
  const boundaries: ReadBoundary[] = [];
  const issues: BoundaryIssue[] = [];
  const properties = features.map((feature, index) => {
    const read = readFeature(feature, index);
    if ('code' in read) issues.push(read);
    else boundaries.push(read);
    return isRecord(feature) && isRecord(feature.properties) ? feature.properties : {};
  });
  return { boundaries, properties, featureCount: features.length, issues };
}
