import type { LatLon, WarningArea } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { SEED_TOWNSHIPS } from '../../store/seedData.ts';
import { type CoverageBoundary, type CoverageTownship, warningCoverage } from './coverage.ts';
import { matchBoundaries } from './matchBoundaries.ts';
import { readBoundaries } from './readBoundaries.ts';
import { FIXTURE } from './testdata/fixture.ts';

const TOWNSHIPS: CoverageTownship[] = SEED_TOWNSHIPS.map(({ id, lat, lon }) => ({ id, lat, lon, enabled: true }));

/** The fixture's three outlines (紫溪镇, 鹿城镇, 东瓜镇), matched by name as an import would. */
function fixtureBoundaries(): CoverageBoundary[] {
  const read = readBoundaries(FIXTURE);
  const { matches } = matchBoundaries(
    read.properties,
    SEED_TOWNSHIPS.map((t) => ({ ...t, code: null })),
  );
  return read.boundaries.map((b) => ({ ...b, townshipId: matches[b.index]?.townshipId as string }));
}
const BOUNDARIES = fixtureBoundaries();

/** A [lat, lon] box, drawn open as Leaflet does. */
const box = (south: number, west: number, north: number, east: number): WarningArea => ({
  type: 'polygon',
  points: [
    [south, west],
    [south, east],
    [north, east],
    [north, west],
  ] as LatLon[],
});

describe('warningCoverage', () => {
  it('matches the fixture to 紫溪镇, 鹿城镇 and 东瓜镇', () => {
    expect(BOUNDARIES.map((b) => b.townshipId)).toEqual(['zixi', 'lucheng', 'donggua']);
  });

  it('affects a township whose boundary the area covers in part, though its seat lies outside', () => {
    // East of 东瓜镇's seat (101.60): 0.04° × 0.07° of its 0.0110 square degrees (main part − hole + exclave).
    const area = box(24.97, 101.62, 25.04, 101.7);
    const coverage = warningCoverage(area, TOWNSHIPS, BOUNDARIES);
    expect(coverage.affectedTownshipIds).toEqual(['donggua']);
    expect(coverage.coveredShares.donggua).toBeGreaterThan(0.25);
    expect(coverage.coveredShares.donggua).toBeLessThan(0.26);
    // Seat points alone (no boundaries): nobody.
    expect(warningCoverage(area, TOWNSHIPS, [])).toEqual({ affectedTownshipIds: [], coveredShares: {} });
  });

  it('gives a share of 1 to a township covered whole and the part of its neighbour', () => {
    const coverage = warningCoverage(box(24.9, 101.3, 25.1, 101.5), TOWNSHIPS, BOUNDARIES);
    expect(coverage.affectedTownshipIds).toEqual(['lucheng', 'zixi']);
    expect(coverage.coveredShares.zixi).toBe(1);
    // 鹿城镇 west of 101.50: 0.002044 of its 0.00945 square degrees.
    expect(coverage.coveredShares.lucheng).toBeCloseTo(0.2163, 2);
  });

  it('does not count the sliver an area drawn along a shared border leaves on the other side', () => {
    // West edge exactly on the 鹿城镇|东瓜镇 border (101.57).
    const coverage = warningCoverage(box(25.0, 101.57, 25.02, 101.59), TOWNSHIPS, BOUNDARIES);
    expect(coverage.affectedTownshipIds).toEqual(['donggua']);
  });

  it('never affects a disabled township, with or without a boundary', () => {
    const area = box(24.97, 101.62, 25.15, 101.7);
    expect(warningCoverage(area, TOWNSHIPS, BOUNDARIES).affectedTownshipIds).toEqual(['donggua', 'donghua']);
    const disabled = TOWNSHIPS.map((t) => ({ ...t, enabled: t.id !== 'donggua' && t.id !== 'donghua' }));
    expect(warningCoverage(area, disabled, BOUNDARIES)).toEqual({ affectedTownshipIds: [], coveredShares: {} });
  });

  it('keeps the seat-point rule for townships without a boundary, beside those with one', () => {
    // Around 东华镇's seat (25.13, 101.63; no boundary) and the top of 东瓜镇 (0.06° × 0.01°).
    const coverage = warningCoverage(box(25.07, 101.6, 25.15, 101.66), TOWNSHIPS, BOUNDARIES);
    expect(coverage.affectedTownshipIds).toEqual(['donggua', 'donghua']);
    expect(Object.keys(coverage.coveredShares)).toEqual(['donggua']);
    expect(coverage.coveredShares.donggua).toBeCloseTo(0.0545, 2);
  });

  it('clips a circle as a polygon: 2 km around 东瓜镇’s seat is π·4 km² of its area', () => {
    const donggua = BOUNDARIES.find((b) => b.townshipId === 'donggua') as CoverageBoundary;
    const coverage = warningCoverage({ type: 'circle', center: [25.02, 101.6], radiusKm: 2 }, TOWNSHIPS, BOUNDARIES);
    expect(coverage.affectedTownshipIds).toEqual(['donggua']);
    expect(coverage.coveredShares.donggua).toBeCloseTo((Math.PI * 4) / donggua.areaKm2, 3);
  });

  it('does not reach a hole: an area inside 东瓜镇’s hole affects nobody', () => {
    expect(warningCoverage(box(25.052, 101.622, 25.058, 101.638), TOWNSHIPS, BOUNDARIES).affectedTownshipIds).toEqual(
      [],
    );
  });
});

describe('warningCoverage of several shapes (a CAP alert’s areas)', () => {
  const east = box(24.97, 101.62, 25.04, 101.7);

  it('covers what any part covers, and counts an overlap once', () => {
    const single = warningCoverage(east, TOWNSHIPS, BOUNDARIES);
    const twice = warningCoverage({ type: 'multi', parts: [east, east] } as WarningArea, TOWNSHIPS, BOUNDARIES);
    expect(twice).toEqual(single);
    // A second, disjoint part far to the west adds the township whose seat it holds (no boundary there).
    const far = TOWNSHIPS.find((t) => !BOUNDARIES.some((b) => b.townshipId === t.id)) as CoverageTownship;
    const both = warningCoverage(
      { type: 'multi', parts: [east, { type: 'circle', center: [far.lat, far.lon], radiusKm: 1 }] } as WarningArea,
      TOWNSHIPS,
      BOUNDARIES,
    );
    expect(both.affectedTownshipIds).toEqual([...single.affectedTownshipIds, far.id].sort());
    expect(both.coveredShares.donggua).toBe(single.coveredShares.donggua);
  });
});
