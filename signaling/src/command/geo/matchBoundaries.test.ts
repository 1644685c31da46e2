import { describe, expect, it } from 'vitest';
import { type MatchableTownship, matchBoundaries } from './matchBoundaries.ts';

const TOWNSHIPS: MatchableTownship[] = [
  { id: 'lucheng', name: '鹿城镇', nameEn: 'Lucheng Town', code: '532301100' },
  { id: 'donggua', name: '东瓜镇', nameEn: 'Donggua Town', code: '532301101000' },
  { id: 'tw-a', name: '新华街道', nameEn: '', code: null },
  { id: 'tw-b', name: '新华街道', nameEn: '', code: '532301003' },
];

describe('matchBoundaries', () => {
  it('matches by id, by a 9- or 12-digit division code under any documented name, and by name', () => {
    const { matches, issues } = matchBoundaries(
      [
        { townshipId: 'tw-a' },
        { adcode: 532301100000 },
        { 区划代码: '532301101' },
        { code: '999999999', name: 'zixi town' },
      ],
      [...TOWNSHIPS, { id: 'zixi', name: '紫溪镇', nameEn: 'Zixi Town', code: null }],
    );
    expect(issues).toEqual([]);
    // A code that names nobody falls back to the name (the first key that names a township wins).
    expect(matches.map((m) => [m.key, m.townshipId])).toEqual([
      ['tw-a', 'tw-a'],
      ['532301100000', 'lucheng'],
      ['532301101', 'donggua'],
      ['zixi town', 'zixi'],
    ]);
  });

  it('reports a feature without key, one that names no township, an ambiguous name, a township twice', () => {
    const { matches, issues } = matchBoundaries(
      [{ name: '鹿城镇' }, { NAME: '不存在镇' }, { 名称: '新华街道' }, { code: '532301100' }, { population: 12 }],
      TOWNSHIPS,
    );
    expect(matches.map((m) => m.townshipId)).toEqual(['lucheng', null, null, null, null]);
    expect(issues.map(({ code, index, field }) => ({ code, index, field }))).toEqual([
      { code: 'no_match', index: 1, field: 'features[1].properties' },
      { code: 'ambiguous_match', index: 2, field: 'features[2].properties' },
      { code: 'duplicate_township', index: 3, field: 'features[3].properties' },
      { code: 'no_key', index: 4, field: 'features[4].properties' },
    ]);
    expect(issues[2]?.message).toContain('features[0]');
  });
});
