/**
 * Which township each feature of a boundary file is: by Beacon's id, by the
 * administrative division code (行政区划代码), or by the name — the first of
 * those properties that names a township wins. A name two townships share
 * is ambiguous (give the code); two features for one township are refused.
 */
import {
  BOUNDARY_CODE_PROPERTIES,
  BOUNDARY_ID_PROPERTIES,
  BOUNDARY_NAME_PROPERTIES,
  type BoundaryIssue,
} from '@beacon/protocol';
import { boundaryIssue } from './readBoundaries.ts';

export interface MatchableTownship {
  id: string;
  name: string;
  nameEn: string;
  code: string | null;
}

export interface FeatureMatch {
  index: number;
  /** The property value that named the township (or the first one given, when none did). */
  key: string | null;
  townshipId: string | null;
}

/**
 * Division codes are 6, 9 or 12 digits; a township's is 9 (532301100) or the
 * same padded to 12 (532301100000). Compared padded, so either spelling matches.
 */
export function normaliseCode(code: string): string {
  const digits = code.trim();
  return /^[0-9]{9}$/.test(digits) ? `${digits}000` : digits;
}

function propertyValue(properties: Record<string, unknown>, names: readonly string[]): string | null {
  for (const name of names) {
    const value = properties[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return null;
}

/** Matches every feature; issues for those that name no township, or one named twice. */
export function matchBoundaries(
  properties: readonly Record<string, unknown>[],
  townships: readonly MatchableTownship[],
): { matches: FeatureMatch[]; issues: BoundaryIssue[] } {
  const byId = new Map(townships.map((t) => [t.id, [t]]));
  const byCode = new Map<string, MatchableTownship[]>();
  const byName = new Map<string, MatchableTownship[]>();
  const add = (map: Map<string, MatchableTownship[]>, key: string, t: MatchableTownship) =>
    map.set(key, [...(map.get(key) ?? []), t]);
  for (const t of townships) {
    if (t.code) add(byCode, normaliseCode(t.code), t);
    add(byName, t.name, t);
    if (t.nameEn && t.nameEn !== t.name) add(byName, t.nameEn.toLowerCase(), t);
  }

  const issues: BoundaryIssue[] = [];
  const seen = new Map<string, number>();
  const matches = properties.map((props, index): FeatureMatch => {
    const at = `features[${index}].properties`;
    const keys = [
      { value: propertyValue(props, BOUNDARY_ID_PROPERTIES), find: (v: string) => byId.get(v) },
      { value: propertyValue(props, BOUNDARY_CODE_PROPERTIES), find: (v: string) => byCode.get(normaliseCode(v)) },
      {
        value: propertyValue(props, BOUNDARY_NAME_PROPERTIES),
        find: (v: string) => byName.get(v) ?? byName.get(v.toLowerCase()),
      },
    ].filter((k): k is { value: string; find: (v: string) => MatchableTownship[] | undefined } => k.value !== null);
    if (keys.length === 0) {
      issues.push(boundaryIssue('no_key', index, at));
      return { index, key: null, townshipId: null };
    }
    for (const { value, find } of keys) {
      const found = find(value) ?? [];
      if (found.length === 0) continue;
      if (found.length > 1) {
        issues.push(boundaryIssue('ambiguous_match', index, at, `${value}: ${found.map((t) => t.id).join(', ')}`));
        return { index, key: value, townshipId: null };
      }
      const township = found[0] as MatchableTownship;
      const earlier = seen.get(township.id);
      if (earlier !== undefined) {
        issues.push(boundaryIssue('duplicate_township', index, at, `${township.name}: features[${earlier}]`));
        return { index, key: value, townshipId: null };
      }
      seen.set(township.id, index);
      return { index, key: value, townshipId: township.id };
    }
    const tried = keys.map((k) => k.value).join(' / ');
    issues.push(boundaryIssue('no_match', index, at, tried));
    return { index, key: keys[0]?.value ?? null, townshipId: null };
  });
  return { matches, issues };
}
