import { describe, expect, it } from 'vitest';
import { distanceKm, likelyDuplicates } from './duplicates.ts';

const chain = (id: string, over: Partial<Parameters<typeof likelyDuplicates>[0][number]> = {}) => ({
  id,
  type: 'landslide' as const,
  occurredAt: '2026-12-07T08:00:00.000Z',
  location: [25.01, 101.43] as [number, number],
  mergedInto: null,
  incidentId: null,
  ...over,
});

describe('likelyDuplicates', () => {
  it('measures great-circle distance (1° of latitude ≈ 111 km)', () => {
    expect(distanceKm([25, 101], [26, 101])).toBeCloseTo(111.2, 0);
    expect(distanceKm([25, 101], [25, 101])).toBe(0);
  });

  it('flags chains of one type close in time and place on both sides', () => {
    const township = chain('zixi');
    // A department 2 km away, reporting the same slide 1 h later.
    const department = chain('water', { occurredAt: '2026-12-07T09:00:00.000Z', location: [25.028, 101.43] });
    const found = likelyDuplicates([township, department]);
    expect(found.get('zixi')?.map((c) => c.id)).toEqual(['water']);
    expect(found.get('water')?.map((c) => c.id)).toEqual(['zixi']);
  });

  it('leaves apart another type, another place, another time, merged chains and one incident', () => {
    const base = chain('a', { incidentId: 'i1' });
    const found = likelyDuplicates([
      base,
      chain('flood', { type: 'flood' }),
      chain('far', { location: [25.2, 101.43] }),
      chain('later', { occurredAt: '2026-12-07T12:00:00.000Z' }),
      chain('merged', { mergedInto: { id: 'x', unitName: 'x', title: 'x' } }),
      chain('same-incident', { incidentId: 'i1' }),
    ]);
    expect(found.get('a')).toBeUndefined();
    expect([...found.keys()]).toEqual([]);
  });
});
