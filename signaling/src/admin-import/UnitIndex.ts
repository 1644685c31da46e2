/**
 * Townships or departments by what a file calls them: a code, a name, a
 * short name. Filled from the database first, then from the rows of the same
 * file (a new township is referable by villages and users of the same file;
 * a renamed one by its new name too).
 */
import type { ImportErrorCode } from '@beacon/protocol';

export type UnitLookup = { id: string; enabled: boolean } | { code: ImportErrorCode; message: string };

export class UnitIndex {
  private readonly byName = new Map<string, Set<string>>();
  private readonly enabled = new Map<string, boolean>();

  /** `what`: the unit's word in messages (乡镇 / 部门). */
  constructor(private readonly what: { zh: string; en: string }) {}

  add(id: string, names: readonly (string | null)[], enabled: boolean): void {
    this.enabled.set(id, enabled);
    for (const name of names) {
      if (!name) continue;
      const ids = this.byName.get(name) ?? new Set<string>();
      ids.add(id);
      this.byName.set(name, ids);
    }
  }

  /** The one unit a file's text names (enabled or not: a row may stay under a disabled unit). */
  resolve(text: string): UnitLookup {
    const ids = [...(this.byName.get(text) ?? [])];
    const { zh, en } = this.what;
    if (ids.length === 0)
      return { code: 'unknown_ref', message: `没有名为或编码为“${text}”的${zh} / no ${en} "${text}"` };
    if (ids.length > 1) {
      return { code: 'ambiguous', message: `“${text}”对应多个${zh}，请用编码 / "${text}" names several; use the code` };
    }
    const id = ids[0] as string;
    return { id, enabled: this.enabled.get(id) ?? false };
  }
}
