import { describe, expect, it } from 'vitest';
import { distanceKm, nearest } from './nearest.ts';

describe('nearest', () => {
  it('measures great-circle kilometres: one degree of latitude is ~111.2 km', () => {
    expect(distanceKm([25, 101.5], [26, 101.5])).toBeCloseTo(111.19, 1);
    // A degree of longitude shrinks with the cosine of the latitude (25°N: ~100.8 km).
    expect(distanceKm([25, 101], [25, 102])).toBeCloseTo(100.78, 0);
  });

  it('orders places nearest first, keeps the given order on a tie, and cuts at the limit', () => {
    const incident: [number, number] = [25.0, 101.43];
    const places = [
      { id: 'far', lat: 24.55, lon: 101.38 },
      { id: 'tie-a', lat: 25.1, lon: 101.43 },
      { id: 'near', lat: 25.01, lon: 101.43 },
      { id: 'tie-b', lat: 24.9, lon: 101.43 },
    ];
    const found = nearest(incident, places, 3);
    expect(found.map((p) => p.id)).toEqual(['near', 'tie-a', 'tie-b']);
    expect(found[0]?.distanceKm).toBeCloseTo(1.11, 2);
    expect(found[1]?.distanceKm).toBe(found[2]?.distanceKm);
  });

  it('is empty for no places', () => {
    expect(nearest([25, 101], [], 5)).toEqual([]);
  });
});
