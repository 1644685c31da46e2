import { beforeEach, expect, it } from 'vitest';
import { readBoundaries } from '../command/geo/readBoundaries.ts';
import { FIXTURE } from '../command/geo/testdata/fixture.ts';
import type { Store } from './index.ts';
import { sampleWarning } from './testing/sampleWarnings.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

describeStoreBackends((env) => {
  let store: Store;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
  });

  const outlines = readBoundaries(FIXTURE).boundaries.map(({ geometry, areaKm2, bbox }) => ({
    geometry,
    areaKm2,
    bbox,
  }));
  const outline = (index: number) => {
    const found = outlines[index];
    if (!found) throw new Error(`the fixture has no feature ${index}`);
    return found;
  };
  const [zixi, lucheng, donggua] = [outline(0), outline(1), outline(2)];

  it('writes boundaries, replaces a township’s on a second import, lists them in township order', async () => {
    expect(
      await store.boundaries.put(
        [
          { townshipId: 'zixi', ...zixi },
          { townshipId: 'lucheng', ...lucheng },
        ],
        'T1',
      ),
    ).toEqual({ before: 0, after: 2 });
    expect(
      await store.boundaries.put(
        [
          { townshipId: 'donggua', ...donggua },
          { townshipId: 'zixi', ...lucheng },
        ],
        'T2',
      ),
    ).toEqual({ before: 2, after: 3 });
    const listed = await store.boundaries.list();
    // Seeded order: lucheng, donggua, …, zixi.
    expect(listed.map((b) => [b.townshipId, b.updatedAt])).toEqual([
      ['lucheng', 'T1'],
      ['donggua', 'T2'],
      ['zixi', 'T2'],
    ]);
    expect(listed[2]?.geometry).toEqual(lucheng?.geometry);
    expect(listed[1]?.geometry.type).toBe('MultiPolygon');
    expect(listed[1]?.areaKm2).toBe(donggua?.areaKm2);
    expect(listed[1]?.bbox).toEqual([101.57, 24.9, 101.69, 25.08]);
    expect(await store.boundaries.count()).toBe(3);
    expect((await store.boundaries.remove('donggua'))?.townshipId).toBe('donggua');
    expect(await store.boundaries.remove('donggua')).toBeUndefined();
    expect((await store.boundaries.list()).map((b) => b.townshipId)).toEqual(['lucheng', 'zixi']);
  });

  it('writes all or nothing: an unknown township rolls the whole import back', async () => {
    await expect(
      store.boundaries.put(
        [
          { townshipId: 'zixi', ...zixi },
          { townshipId: 'nowhere', ...lucheng },
        ],
        'T1',
      ),
    ).rejects.toThrow();
    expect(await store.boundaries.count()).toBe(0);
  });

  it('keeps covered shares with the warning and puts each on its township’s delivery row', async () => {
    const now = new Date().toISOString();
    const warning = sampleWarning('w-share', {
      affectedTownshipIds: ['donggua', 'donghua'],
      coveredShares: { donggua: 0.2545 },
      effective: now,
      createdAt: now,
    });
    await store.warnings.create(warning);
    expect((await store.warnings.get('w-share'))?.coveredShares).toEqual({ donggua: 0.2545 });
    const board = await store.warnings.issue('w-share', 'u-duty', now);
    expect(board.map((r) => [r.townshipId, r.coveredShare])).toEqual([
      ['donggua', 0.2545],
      ['donghua', null],
    ]);
  });
});
