/**
 * Emergency resources (应急资源) without zod, for the console too: rescue
 * teams (救援队伍) and their status, depots (物资库) with the items they hold,
 * shelters (避难场所), experts (专家). The team status machine:
 *
 *      available ──dispatch──▶ deployed ──task done / officer──▶ returned
 *          ▲                      ▲                                  │
 *          │                      └─────────────dispatch─────────────┤
 *          └───────────────────────officer (ready again)─────────────┘
 *
 * A returned team can be dispatched again at once (it came back from one
 * job and is sent to the next); "available" says it has rested and restocked.
 */

export const RESOURCE_KINDS = ['teams', 'depots', 'shelters', 'experts'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** The sheet each kind is read from (and the console's section title). */
export const RESOURCE_SHEET_NAMES: Record<ResourceKind, string> = {
  teams: '救援队伍',
  depots: '物资库',
  shelters: '避难场所',
  experts: '专家',
};

export const TEAM_KINDS = ['fire_rescue', 'professional', 'medical', 'militia', 'volunteer', 'other'] as const;
export type TeamKind = (typeof TEAM_KINDS)[number];

export const TEAM_STATUSES = ['available', 'deployed', 'returned'] as const;
export type TeamStatus = (typeof TEAM_STATUSES)[number];

/** The moves the diagram draws; anything else is `invalid_transition`. */
export const TEAM_TRANSITIONS: Readonly<Record<TeamStatus, readonly TeamStatus[]>> = {
  available: ['deployed'],
  deployed: ['returned'],
  returned: ['deployed', 'available'],
};

/** How many of each kind the nearest list shows by default, and at most. */
export const NEAREST_DEFAULT = 5;
export const NEAREST_MAX = 20;

/** One kind of item a depot holds: 冲锋舟 × 10 艘. */
export interface DepotItem {
  name: string;
  quantity: number;
  /** 艘, 件, 顶, 箱…; '' when the file gives none. */
  unit: string;
}

export const DEPOT_MAX_ITEMS = 200;

/** `冲锋舟×10艘`, `救生衣 200 件`, `帐篷:50顶`, `沙袋 5000`: a name, a number, an optional unit. */
const ITEM_PATTERN = /^(.+?)\s*[×xX*:：]?\s*(\d+(?:\.\d+)?)\s*([^\d\s]{0,8})$/;
const ITEM_SEPARATORS = /[;；,，、\n]+/;

/**
 * A depot's items as a spreadsheet cell or a form writes them:
 * `冲锋舟×10艘；救生衣×200件`. Returns the items, or the first part that is not
 * an item (so the caller can say which).
 */
export function parseDepotItems(text: string): { items: DepotItem[] } | { bad: string } {
  const items: DepotItem[] = [];
  for (const raw of text.split(ITEM_SEPARATORS)) {
    const part = raw.trim();
    if (part === '') continue;
    const match = ITEM_PATTERN.exec(part);
    if (!match) return { bad: part };
    items.push({ name: (match[1] as string).trim(), quantity: Number(match[2]), unit: match[3] ?? '' });
  }
  return { items };
}

/** The same notation back: what the export and the edit form show. */
export function formatDepotItems(items: readonly DepotItem[]): string {
  return items.map((i) => `${i.name}×${i.quantity}${i.unit}`).join('；');
}
