/**
 * Approximate township outlines for the offline basemap (示意, not survey
 * data): a city outline = the convex hull of the township points pushed out by
 * a margin, cut into one convex cell per township by the perpendicular
 * bisectors between points (a Voronoi diagram clipped to the outline).
 *
 * Works in a local equirectangular projection (x = lon·cos(lat₀), y = lat) so
 * a bisector is roughly equidistant in kilometres, not in degrees.
 */
import type { LatLon } from '@beacon/protocol';

export interface CellSite {
  id: string;
  lat: number;
  lon: number;
}

type Point = readonly [x: number, y: number];

interface Projection {
  to(lat: number, lon: number): Point;
  from(point: Point): LatLon;
}

function projection(sites: readonly CellSite[]): Projection {
  const lat0 = sites.reduce((sum, s) => sum + s.lat, 0) / sites.length;
  const k = Math.cos((lat0 * Math.PI) / 180);
  return {
    to: (lat, lon) => [lon * k, lat],
    from: ([x, y]) => [y, x / k],
  };
}

const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** Counter-clockwise convex hull (Andrew's monotone chain). */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const half = (list: Point[]): Point[] => {
    const out: Point[] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2] as Point, out[out.length - 1] as Point, p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}

/**
 * The hull pushed outwards by `margin` (projected degrees): each hull point
 * contributes a few points on a circle around it, and we take their hull —
 * a rounded outline that never cuts through a township's own cell.
 */
function outline(points: readonly Point[], margin: number): Point[] {
  const ring: Point[] = [];
  for (const [x, y] of points) {
    for (let i = 0; i < 12; i++) {
      const a = (i / 12) * 2 * Math.PI;
      ring.push([x + margin * Math.cos(a), y + margin * Math.sin(a)]);
    }
  }
  return convexHull(ring);
}

/** Sutherland–Hodgman: keeps the part of a convex polygon where `keep(p) >= 0` (a linear function). */
function clipHalfPlane(polygon: readonly Point[], keep: (p: Point) => number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < polygon.length; i++) {
    const a = polygon[i] as Point;
    const b = polygon[(i + 1) % polygon.length] as Point;
    const fa = keep(a);
    const fb = keep(b);
    if (fa >= 0) out.push(a);
    if (fa >= 0 !== fb >= 0) {
      const t = fa / (fa - fb);
      out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
    }
  }
  return out;
}

export interface TownshipCells {
  /** The (approximate) city boundary, a closed-by-convention ring of [lat, lon]. */
  outline: LatLon[];
  /** One cell per site id: points nearer to that site than to any other, inside the outline. */
  cells: Map<string, LatLon[]>;
}

/** `margin` is in degrees of latitude (0.08° ≈ 9 km). */
export function townshipCells(sites: readonly CellSite[], margin = 0.08): TownshipCells {
  if (sites.length === 0) return { outline: [], cells: new Map() };
  const proj = projection(sites);
  const points = sites.map((s) => proj.to(s.lat, s.lon));
  const boundary = outline(points, margin);
  const cells = new Map<string, LatLon[]>();
  sites.forEach((site, i) => {
    const p = points[i] as Point;
    let cell: Point[] = boundary;
    // Nearest sites first: once a site is farther than twice the cell's reach, neither it nor any
    // later one can cut the cell. Keeps thousands of markers (the map bench) near O(n log n) per cell.
    const byDistance = points
      .map((q, j) => ({ q, j, d: (q[0] - p[0]) ** 2 + (q[1] - p[1]) ** 2 }))
      .sort((a, b) => a.d - b.d);
    for (const { q, j, d } of byDistance) {
      if (j === i || d === 0) continue;
      const reach = Math.max(...cell.map(([x, y]) => (x - p[0]) ** 2 + (y - p[1]) ** 2));
      if (d / 4 > reach) break;
      // Keep the side of the bisector nearer to p: (x - mid)·(p - q) >= 0.
      const mx = (p[0] + q[0]) / 2;
      const my = (p[1] + q[1]) / 2;
      cell = clipHalfPlane(cell, ([x, y]) => (x - mx) * (p[0] - q[0]) + (y - my) * (p[1] - q[1]));
    }
    cells.set(site.id, cell.map(proj.from));
  });
  return { outline: boundary.map(proj.from), cells };
}
