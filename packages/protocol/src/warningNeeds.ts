/**
 * What a draft warning still lacks before it can be issued: a warning from
 * outside (a CAP alert) may come without an end time or a drawable area, and
 * the duty officer supplies them. Zod-free: the console uses it too.
 */
import type { WarningView } from './command.ts';
import type { WarningNeed } from './vocabulary.ts';

export function warningMissing(w: Pick<WarningView, 'area' | 'expires' | 'affectedTownshipIds'>): WarningNeed[] {
  const missing: WarningNeed[] = [];
  if (w.expires === null) missing.push('expires');
  // Geocodes that named townships are enough to deliver; a shape is needed only to find them.
  if (w.area === null && w.affectedTownshipIds.length === 0) missing.push('area');
  return missing;
}
