/**
 * A boundary import, decided before anything is written: the file read and
 * checked, each feature matched, the report a dry run shows, and — only when
 * there is no issue at all — the rows to write. One bad feature means nothing
 * is written: a half-imported map would silently keep old outlines.
 */
import {
  BeaconError,
  BOUNDARY_LIMITS,
  type BoundaryCollection,
  type BoundaryImportReport,
  type BoundaryIssue,
  type ErrorBody,
} from '@beacon/protocol';
import type { StoredBoundary } from '../../store/boundaryTypes.ts';
import { type MatchableTownship, matchBoundaries } from './matchBoundaries.ts';
import { readBoundaries } from './readBoundaries.ts';

export interface ImportTownship extends MatchableTownship {
  enabled: boolean;
}

export interface BoundaryImportPlan {
  /** `before`/`after` as they would be; the route replaces them with the committed counts. */
  report: BoundaryImportReport;
  /** Empty when the report has issues. */
  rows: Omit<StoredBoundary, 'updatedAt'>[];
}

/** A refused commit: `boundary_invalid` naming the first issue's field; the body lists the issues too. */
export class BoundaryImportError extends BeaconError {
  readonly issues: BoundaryIssue[];

  constructor(issues: BoundaryIssue[], total: number) {
    const first = issues[0] as BoundaryIssue;
    super('boundary_invalid', total > 1 ? `${first.message} (+${total - 1})` : first.message);
    this.field = first.field;
    this.issues = issues;
  }

  override toBody(): ErrorBody & { issues: BoundaryIssue[] } {
    return { ...super.toBody(), issues: this.issues };
  }
}

export function planBoundaryImport(
  text: string,
  townships: readonly ImportTownship[],
  existing: ReadonlySet<string>,
  dryRun: boolean,
): BoundaryImportPlan {
  const read = readBoundaries(text);
  const { matches, issues: matchIssues } = matchBoundaries(read.properties, townships);
  const byIndex = new Map(read.boundaries.map((b) => [b.index, b]));
  const names = new Map(townships.map((t) => [t.id, t.name]));
  const features = matches.map((m) => ({
    index: m.index,
    key: m.key,
    townshipId: m.townshipId,
    townshipName: m.townshipId ? (names.get(m.townshipId) ?? null) : null,
    areaKm2: byIndex.has(m.index) ? Math.round((byIndex.get(m.index)?.areaKm2 ?? 0) * 1000) / 1000 : null,
    replaces: m.townshipId !== null && existing.has(m.townshipId),
  }));
  const issues = [...read.issues, ...matchIssues].sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
  const rows =
    issues.length > 0
      ? []
      : read.boundaries.map((b) => ({
          townshipId: matches[b.index]?.townshipId as string,
          geometry: b.geometry,
          areaKm2: b.areaKm2,
          bbox: b.bbox,
        }));
  const after = new Set([...existing, ...rows.map((r) => r.townshipId)]);
  const report: BoundaryImportReport = {
    dryRun,
    features,
    matched: features.filter((f) => f.townshipId !== null).length,
    unmatched: matchIssues.filter((i) => i.code === 'no_match' || i.code === 'no_key').length,
    issues: issues.slice(0, BOUNDARY_LIMITS.maxIssues),
    moreIssues: Math.max(0, issues.length - BOUNDARY_LIMITS.maxIssues),
    before: existing.size,
    after: after.size,
    withoutBoundary: townships.filter((t) => t.enabled && !after.has(t.id)).map((t) => t.id),
  };
  if (!dryRun && issues.length > 0) throw new BoundaryImportError(report.issues, issues.length);
  return { report, rows };
}

/** The stored boundaries as the GeoJSON the import reads (so an export imports back unchanged). */
export function boundariesAsGeoJson(
  boundaries: readonly StoredBoundary[],
  townships: readonly MatchableTownship[],
): BoundaryCollection {
  const byId = new Map(townships.map((t) => [t.id, t]));
  return {
    type: 'FeatureCollection',
    features: boundaries.map((b) => ({
      type: 'Feature',
      geometry: b.geometry,
      properties: {
        townshipId: b.townshipId,
        name: byId.get(b.townshipId)?.name ?? b.townshipId,
        code: byId.get(b.townshipId)?.code ?? null,
        areaKm2: Math.round(b.areaKm2 * 1000) / 1000,
        updatedAt: b.updatedAt,
      },
    })),
  };
}
