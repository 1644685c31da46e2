import type { LatLon, WarningArea } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { circle } from '@turf/circle';
import { describe, expect, it } from 'vitest';
import { SEED_TOWNSHIPS } from '../../store/seedData.ts';
import { affectedTownships, closedRing, distanceKm, nearestTownship, type TownshipPoint } from './affectedTownships.ts';

const TOWNSHIPS: readonly TownshipPoint[] = SEED_TOWNSHIPS.map(({ id, lat, lon }) => ({ id, lat, lon }));
const at = (id: string): LatLon => {
  const t = TOWNSHIPS.find((x) => x.id === id);
  if (!t) throw new Error(`no seeded township ${id}`);
  return [t.lat, t.lon];
};

describe('affectedTownships', () => {
  it('finds exactly the two seeded townships a drawn polygon surrounds (open ring, as Leaflet draws it)', () => {
    // A box around 鹿城镇 (25.04, 101.54) and 东瓜镇 (25.02, 101.60); 紫溪镇 lies west, 东华镇 north.
    const area: WarningArea = {
      type: 'polygon',
      points: [
        [24.98, 101.5],
        [25.08, 101.5],
        [25.08, 101.65],
        [24.98, 101.65],
      ],
    };
    expect(TOWNSHIPS).toHaveLength(15);
    expect(affectedTownships(area, TOWNSHIPS)).toEqual(['donggua', 'lucheng']);
  });

  it('reads polygon points as [lat, lon], not GeoJSON [lon, lat]', () => {
    // A thin box that holds 鹿城镇 only if latitude is the first number.
    const area: WarningArea = {
      type: 'polygon',
      points: [
        [25.03, 101.53],
        [25.05, 101.53],
        [25.05, 101.55],
        [25.03, 101.55],
        [25.03, 101.53],
      ],
    };
    expect(affectedTownships(area, TOWNSHIPS)).toEqual(['lucheng']);
  });

  it('finds the townships within a circle by great-circle distance', () => {
    // From 鹿城镇: 东瓜镇 ~6.4 km, 紫溪镇 ~12.9 km, 东华镇 ~13.5 km.
    expect(distanceKm(at('lucheng'), at('donggua'))).toBeGreaterThan(6);
    expect(distanceKm(at('lucheng'), at('donggua'))).toBeLessThan(7);
    const circleOf = (radiusKm: number): WarningArea => ({ type: 'circle', center: at('lucheng'), radiusKm });
    expect(affectedTownships(circleOf(5), TOWNSHIPS)).toEqual(['lucheng']);
    expect(affectedTownships(circleOf(10), TOWNSHIPS)).toEqual(['donggua', 'lucheng']);
    expect(affectedTownships(circleOf(13.2), TOWNSHIPS)).toEqual(['donggua', 'lucheng', 'zixi']);
  });

  it('agrees with the polygon @turf/circle draws for the same circle', () => {
    for (const radiusKm of [5, 12, 20, 30, 45, 60]) {
      const center = at('donggua');
      const ring = circle([center[1], center[0]], radiusKm, { steps: 256, units: 'kilometers' }).geometry
        .coordinates[0] as [number, number][];
      const asPolygon: WarningArea = { type: 'polygon', points: ring.map(([lon, lat]): LatLon => [lat, lon]) };
      expect(affectedTownships({ type: 'circle', center, radiusKm }, TOWNSHIPS)).toEqual(
        affectedTownships(asPolygon, TOWNSHIPS),
      );
    }
  });

  it('sorts by id whatever the input order', () => {
    const area: WarningArea = { type: 'circle', center: [25.03, 101.55], radiusKm: 200 };
    const reversed = [...TOWNSHIPS].reverse();
    expect(affectedTownships(area, reversed)).toEqual(TOWNSHIPS.map((t) => t.id).sort());
  });
});

describe('closedRing', () => {
  it('closes an open ring and leaves a closed one alone', () => {
    const open: LatLon[] = [
      [25, 101],
      [25.1, 101],
      [25.1, 101.1],
    ];
    expect(closedRing(open)).toEqual([...open, [25, 101]]);
    expect(closedRing([...open, [25, 101]])).toEqual([...open, [25, 101]]);
    expect(open).toHaveLength(3); // input not mutated
  });

  it.each([
    [
      'two points',
      [
        [25, 101],
        [25.1, 101],
      ],
    ],
    [
      'three points, two the same',
      [
        [25, 101],
        [25.1, 101],
        [25, 101],
      ],
    ],
    [
      'four points, two distinct',
      [
        [25, 101],
        [25.1, 101],
        [25.1, 101],
        [25, 101],
      ],
    ],
  ] as [string, LatLon[]][])('refuses %s with bad_request', (_name, points) => {
    expect(() => closedRing(points)).toThrow(BeaconError);
    try {
      closedRing(points);
    } catch (e) {
      expect((e as BeaconError).code).toBe('bad_request');
    }
  });

  it('makes affectedTownships refuse a degenerate polygon too', () => {
    const area: WarningArea = {
      type: 'polygon',
      points: [
        [25, 101],
        [25.1, 101],
        [25, 101],
      ],
    };
    expect(() => affectedTownships(area, TOWNSHIPS)).toThrow(/at least 3 distinct points/);
  });
});

describe('nearestTownship', () => {
  it('picks the township whose point is nearest', () => {
    expect(nearestTownship([25.041, 101.541], TOWNSHIPS)).toBe('lucheng');
    expect(nearestTownship([25.02, 101.58], TOWNSHIPS)).toBe('donggua'); // 2 km from 东瓜镇, 4.5 km from 鹿城镇
    expect(nearestTownship([24.56, 101.37], TOWNSHIPS)).toBe('xishelu');
  });

  it('breaks a tie by the smaller id and answers null without townships', () => {
    const twins: TownshipPoint[] = [
      { id: 'b', lat: 25, lon: 101.1 },
      { id: 'a', lat: 25, lon: 100.9 },
    ];
    expect(nearestTownship([25, 101], twins)).toBe('a');
    expect(nearestTownship([25, 101], [])).toBeNull();
  });
});
