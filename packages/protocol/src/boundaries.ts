/**
 * Real boundaries (行政区划边界) of the townships, imported by an admin as a
 * GeoJSON FeatureCollection of Polygon/MultiPolygon features (RFC 7946: WGS84,
 * positions `[lon, lat]` — unlike the rest of this protocol, which says
 * `[lat, lon]`). Zod-free: the console imports the limits and codes.
 *
 *   PUT /api/v1/admin/boundaries?dryRun=true   the report, nothing written
 *   PUT /api/v1/admin/boundaries               the same checks, then written (all or nothing)
 *   GET /api/v1/admin/boundaries               export: the stored boundaries as GeoJSON
 *   DELETE /api/v1/admin/boundaries/:townshipId  forget one township's boundary
 *   GET /api/v1/boundaries                     the same, for the command room's map (staff)
 */

/** What an import may be, at most. Larger is refused whole (`too_large`, `too_many_features`). */
export const BOUNDARY_LIMITS = {
  /** The GeoJSON text, in bytes (10 MiB: a county's townships at survey detail fit several times). */
  maxBytes: 10 * 1024 * 1024,
  maxFeatures: 5000,
  /** Issues listed in one report; past this the report says how many more there were. */
  maxIssues: 200,
} as const;

/**
 * Feature properties that match a township, tried in this order: Beacon's own id, the
 * administrative division code (行政区划代码, as township `code`), then the name (鹿城镇).
 */
export const BOUNDARY_ID_PROPERTIES = ['townshipId', 'township_id'] as const;
export const BOUNDARY_CODE_PROPERTIES = ['code', 'adcode', 'ADCODE', 'CODE', '编码', '区划代码'] as const;
export const BOUNDARY_NAME_PROPERTIES = ['name', 'NAME', '名称', 'township', '乡镇'] as const;

/** Why a file or a feature is refused. The whole-file ones come back as `boundary_invalid` with `field`. */
export const BOUNDARY_ISSUE_CODES = [
  /** The body is not JSON text. */
  'not_json',
  /** The JSON is not `{ "type": "FeatureCollection", "features": [...] }`. */
  'not_feature_collection',
  'too_large',
  'too_many_features',
  /** A `crs` member that is not WGS84 (CRS84 / EPSG:4326). */
  'unsupported_crs',
  /** An element of `features` is not `{ "type": "Feature", ... }`. */
  'not_feature',
  /** A geometry that is not a Polygon or MultiPolygon (a Point, a LineString, none). */
  'not_polygon',
  /** Coordinates that are not nested arrays of `[lon, lat]` numbers. */
  'bad_coordinates',
  /** Longitude outside ±180 or latitude outside ±90 (often `[lat, lon]` given instead of `[lon, lat]`). */
  'coordinate_out_of_range',
  /** A linear ring with fewer than 4 positions. */
  'ring_too_short',
  /** A linear ring whose last position is not its first. */
  'ring_not_closed',
  /** A linear ring that crosses itself. */
  'ring_self_intersects',
  /** A geometry that encloses no area (all its points on one line). */
  'zero_area',
  /** None of the id, code or name properties. */
  'no_key',
  /** No township has that id, code or name. */
  'no_match',
  /** The name is shared by several townships: give the code. */
  'ambiguous_match',
  /** A second feature for a township already matched in this file. */
  'duplicate_township',
] as const;
export type BoundaryIssueCode = (typeof BOUNDARY_ISSUE_CODES)[number];

export interface BoundaryIssue {
  code: BoundaryIssueCode;
  /** The feature's index in `features` (from 0); null for the file as a whole. */
  index: number | null;
  /** Where, as a path: `features[3].geometry.coordinates[0][7]`, or `body` for the file. */
  field: string;
  /** Chinese, then English. */
  message: string;
}

/** One feature of an import as matched. */
export interface BoundaryFeatureResult {
  index: number;
  /** The key read from its properties (code, name or id), as given. */
  key: string | null;
  townshipId: string | null;
  townshipName: string | null;
  /** Geodesic area in km² (null when the geometry was refused). */
  areaKm2: number | null;
  /** The township had a boundary already: this one replaces it. */
  replaces: boolean;
}

/** The answer of a dry run and of a commit. */
export interface BoundaryImportReport {
  dryRun: boolean;
  features: BoundaryFeatureResult[];
  matched: number;
  /** Features that match no township (each also has a `no_match` issue). */
  unmatched: number;
  issues: BoundaryIssue[];
  /** Issues past `BOUNDARY_LIMITS.maxIssues`, not listed. */
  moreIssues: number;
  /** Townships with a boundary before the import and after it (the dry run: after it would be). */
  before: number;
  after: number;
  /** Enabled townships that still have no boundary (they keep the seat-point rule). */
  withoutBoundary: string[];
}

/** The exported/served boundary of one township: a GeoJSON Feature (`[lon, lat]`). */
export interface BoundaryFeature {
  type: 'Feature';
  geometry: BoundaryGeometry;
  properties: {
    townshipId: string;
    name: string;
    code: string | null;
    areaKm2: number;
    updatedAt: string;
  };
}
export type BoundaryGeometry =
  | { type: 'Polygon'; coordinates: [number, number][][] }
  | { type: 'MultiPolygon'; coordinates: [number, number][][][] };
export interface BoundaryCollection {
  type: 'FeatureCollection';
  features: BoundaryFeature[];
}
