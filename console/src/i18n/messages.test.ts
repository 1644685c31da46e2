import { describe, expect, it } from 'vitest';
import { en, FACES, zhCN } from './messages.ts';

/** Every leaf of a message tree as `a.b.c` → its string. */
function leaves(tree: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (tree === null || typeof tree !== 'object') {
    out.set(prefix, tree);
    return out;
  }
  for (const [key, value] of Object.entries(tree)) {
    for (const [path, leaf] of leaves(value, prefix ? `${prefix}.${key}` : key)) out.set(path, leaf);
  }
  return out;
}

describe('message files', () => {
  for (const [face, { 'zh-CN': zh, en: english }] of Object.entries(FACES)) {
    it(`${face}: Chinese and English have the same keys, and every string is non-empty`, () => {
      const zhLeaves = leaves(zh);
      const enLeaves = leaves(english);
      expect([...enLeaves.keys()].sort()).toEqual([...zhLeaves.keys()].sort());
      const bad = [...zhLeaves, ...enLeaves].filter(([, value]) => typeof value !== 'string' || value.trim() === '');
      expect(bad.map(([path]) => path)).toEqual([]);
    });
  }

  it('no two faces add the same top-level key (one would hide the other)', () => {
    const owners = new Map<string, string[]>();
    for (const [face, { 'zh-CN': zh }] of Object.entries(FACES)) {
      for (const key of Object.keys(zh)) owners.set(key, [...(owners.get(key) ?? []), face]);
    }
    expect([...owners].filter(([, faces]) => faces.length > 1)).toEqual([]);
  });

  it('the merged tree holds every face in both languages', () => {
    const total = Object.values(FACES).reduce((n, f) => n + leaves(f['zh-CN']).size, 0);
    expect(leaves(zhCN).size).toBe(total);
    expect(leaves(en).size).toBe(total);
    expect(leaves(zhCN).size).toBeGreaterThan(400);
  });

  it('placeholders match between the languages ({n} in one means {n} in the other)', () => {
    const zhLeaves = leaves(zhCN);
    const placeholders = (text: unknown) => [...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const mismatched = [...leaves(en)].filter(([path, text]) => {
      return JSON.stringify(placeholders(text)) !== JSON.stringify(placeholders(zhLeaves.get(path)));
    });
    expect(mismatched.map(([path]) => path)).toEqual([]);
  });
});
