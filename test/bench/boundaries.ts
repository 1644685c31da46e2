/**
 * Township boundaries: how long an import's checks take (parse, zod, range,
 * closure, sweep-line self-intersection, geodesic area) and how long a
 * warning's affected set takes to compute once every township has a detailed
 * boundary (bounding-box test, then turf/polyclip clipping per candidate).
 *
 *   npm run ts -- test/bench/boundaries.ts [--townships 200] [--vertices 2000] [--runs 5]
 *
 * Synthetic outlines: a grid of star-shaped rings (simple polygons, radius
 * jittered by a seeded generator) around 25°N 101.5°E, 0.05° apart.
 */
import { parseArgs } from 'node:util';
import type { WarningArea } from '@beacon/protocol';
import {
  type CoverageBoundary,
  type CoverageTownship,
  warningCoverage,
} from '../../signaling/src/command/geo/coverage.ts';
import { readBoundaries } from '../../signaling/src/command/geo/readBoundaries.ts';
import { round } from './benchTools.ts';
import { percentile } from './stats.ts';

export interface BoundaryBenchResult {
  townships: number;
  verticesEach: number;
  fileMiB: number;
  readP50Ms: number;
  /** A warning covering about a quarter of the grid. */
  affected: number;
  coverageP50Ms: number;
  coverageP95Ms: number;
}

/** Mulberry32: the same outlines every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function grid(townships: number, vertices: number): { text: string; points: CoverageTownship[] } {
  const side = Math.ceil(Math.sqrt(townships));
  const next = random(2026);
  const features = [];
  const points: CoverageTownship[] = [];
  for (let i = 0; i < townships; i++) {
    const lon = 101.5 + (i % side) * 0.05;
    const lat = 25 + Math.floor(i / side) * 0.05;
    const ring: [number, number][] = [];
    for (let v = 0; v < vertices; v++) {
      const angle = (v / vertices) * 2 * Math.PI;
      const radius = 0.022 + next() * 0.004;
      ring.push([round(lon + radius * Math.cos(angle), 6), round(lat + radius * Math.sin(angle), 6)]);
    }
    ring.push(ring[0] as [number, number]);
    features.push({
      type: 'Feature',
      properties: { townshipId: `t${i}` },
      geometry: { type: 'Polygon', coordinates: [ring] },
    });
    points.push({ id: `t${i}`, lat, lon, enabled: true });
  }
  return { text: JSON.stringify({ type: 'FeatureCollection', features }), points };
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = process.hrtime.bigint();
  const value = fn();
  return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

export function runBoundaryBench(opts: { townships: number; vertices: number; runs: number }): BoundaryBenchResult {
  const { text, points } = grid(opts.townships, opts.vertices);
  const reads = Array.from({ length: opts.runs }, () => timed(() => readBoundaries(text)));
  const read = reads[0]?.value;
  if (!read || read.issues.length > 0) throw new Error(`synthetic outlines refused: ${read?.issues[0]?.message}`);
  const boundaries: CoverageBoundary[] = read.boundaries.map((b) => ({ ...b, townshipId: points[b.index]?.id ?? '' }));
  const side = Math.ceil(Math.sqrt(opts.townships)) * 0.05;
  // A ragged area over the south-west quarter of the grid: it cuts through many outlines.
  const area: WarningArea = {
    type: 'polygon',
    points: [
      [24.98, 101.48],
      [24.98 + side / 2, 101.48 + side * 0.05],
      [24.98 + side / 2.2, 101.48 + side / 2],
      [24.98 + side * 0.03, 101.48 + side / 2.1],
    ],
  };
  const runs = Array.from({ length: opts.runs }, () => timed(() => warningCoverage(area, points, boundaries)));
  const ms = runs.map((r) => r.ms);
  return {
    townships: opts.townships,
    verticesEach: opts.vertices,
    fileMiB: round(Buffer.byteLength(text) / 1024 / 1024, 2),
    readP50Ms: round(
      percentile(
        reads.map((r) => r.ms),
        50,
      ),
      1,
    ),
    affected: runs[0]?.value.affectedTownshipIds.length ?? 0,
    coverageP50Ms: round(percentile(ms, 50), 1),
    coverageP95Ms: round(percentile(ms, 95), 1),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { townships: { type: 'string' }, vertices: { type: 'string' }, runs: { type: 'string' } },
  });
  const townships = (values.townships ?? '15,200').split(',').map(Number);
  const vertices = (values.vertices ?? '200,2000').split(',').map(Number);
  const rows: BoundaryBenchResult[] = [];
  for (const t of townships)
    for (const v of vertices)
      rows.push(runBoundaryBench({ townships: t, vertices: v, runs: Number(values.runs ?? 5) }));
  console.table(rows);
}
