import { describe, expect, it } from 'vitest';
import { formatDepotItems, parseDepotItems, TEAM_STATUSES, TEAM_TRANSITIONS } from './resourceVocabulary.ts';

describe('depot items notation', () => {
  it('reads the ways a spreadsheet writes items, and writes them back the one way', () => {
    const parsed = parseDepotItems('冲锋舟×10艘；救生衣 200 件、帐篷:50顶, 沙袋 5000\n发电机*2台');
    expect(parsed).toEqual({
      items: [
        { name: '冲锋舟', quantity: 10, unit: '艘' },
        { name: '救生衣', quantity: 200, unit: '件' },
        { name: '帐篷', quantity: 50, unit: '顶' },
        { name: '沙袋', quantity: 5000, unit: '' },
        { name: '发电机', quantity: 2, unit: '台' },
      ],
    });
    const items = 'items' in parsed ? parsed.items : [];
    expect(formatDepotItems(items)).toBe('冲锋舟×10艘；救生衣×200件；帐篷×50顶；沙袋×5000；发电机×2台');
    expect(parseDepotItems(formatDepotItems(items))).toEqual(parsed);
    expect(parseDepotItems('')).toEqual({ items: [] });
  });

  it('names the part that is not an item', () => {
    expect(parseDepotItems('冲锋舟×10艘；很多帐篷')).toEqual({ bad: '很多帐篷' });
  });
});

describe('team status machine', () => {
  it('dispatches from available or returned only, and never skips back to available while deployed', () => {
    const allowed = TEAM_STATUSES.flatMap((from) => TEAM_TRANSITIONS[from].map((to) => `${from}→${to}`));
    expect(allowed.sort()).toEqual([
      'available→deployed',
      'deployed→returned',
      'returned→available',
      'returned→deployed',
    ]);
  });
});
