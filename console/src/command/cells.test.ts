import { describe, expect, it } from 'vitest';
import { convexHull, townshipCells } from './cells.ts';

const SITES = [
  { id: 'lucheng', lat: 25.04, lon: 101.54 },
  { id: 'donggua', lat: 25.02, lon: 101.6 },
  { id: 'lvhe', lat: 25.15, lon: 101.4 },
  { id: 'zixi', lat: 25.0, lon: 101.42 },
  { id: 'sanjie', lat: 24.77, lon: 101.46 },
  { id: 'dadiji', lat: 24.62, lon: 101.2 },
];

/** Ray casting on [lat, lon] rings (x = lon, y = lat). */
function inside([lat, lon]: readonly [number, number], ring: readonly (readonly [number, number])[]): boolean {
  let hit = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [yi, xi] = ring[i] as [number, number];
    const [yj, xj] = ring[j] as [number, number];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

describe('townshipCells', () => {
  it('puts every township in its own cell and in no other', () => {
    const { cells } = townshipCells(SITES);
    expect([...cells.keys()]).toEqual(SITES.map((s) => s.id));
    for (const site of SITES) {
      for (const [id, ring] of cells) {
        expect(inside([site.lat, site.lon], ring), `${site.id} in ${id}`).toBe(id === site.id);
      }
    }
  });

  it('assigns a point between townships to the nearest one (Voronoi)', () => {
    const { cells } = townshipCells(SITES);
    // Just east of lucheng, far from everyone else.
    const point: [number, number] = [25.041, 101.556];
    const owners = [...cells].filter(([, ring]) => inside(point, ring)).map(([id]) => id);
    expect(owners).toEqual(['lucheng']);
  });

  it('wraps every township inside the outline with a margin', () => {
    const { outline } = townshipCells(SITES, 0.05);
    for (const site of SITES) {
      expect(inside([site.lat, site.lon], outline)).toBe(true);
      expect(inside([site.lat + 0.03, site.lon], outline)).toBe(true);
      expect(inside([site.lat + 1, site.lon], outline)).toBe(false);
    }
  });

  it('returns nothing for no townships', () => {
    expect(townshipCells([])).toEqual({ outline: [], cells: new Map() });
  });
});

describe('convexHull', () => {
  it('drops interior points', () => {
    const hull = convexHull([
      [0, 0],
      [2, 0],
      [1, 1],
      [2, 2],
      [0, 2],
    ]);
    expect(hull).toHaveLength(4);
    expect(hull).not.toContainEqual([1, 1]);
  });
});
