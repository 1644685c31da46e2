/**
 * The report chains of an incident for its after-action report: every report
 * (首报/续报/终报) of the chains linked to it, and of the duplicates merged into
 * them, as table rows — who reported what when, and whether it was late.
 */
import type { ReportChainView } from '@beacon/protocol';
import type { Store } from '../store/index.ts';
import { KIND_ZH } from './reportEntries.ts';

/** More chains than an incident ever gets; the report stays bounded. */
const MAX_CHAINS = 200;

export async function afterActionChainRows(
  store: Store,
  incidentId: string,
  formatTime: (iso: string) => string,
): Promise<string[][]> {
  const linked = [...(await store.reports.list({ incidentId, limit: MAX_CHAINS }))].reverse();
  const chains: { chain: ReportChainView; mergedInto: ReportChainView | null }[] = [];
  for (const chain of linked) {
    chains.push({ chain, mergedInto: null });
    for (const ref of chain.merged) {
      const duplicate = await store.reports.get(ref.id);
      if (duplicate) chains.push({ chain: duplicate, mergedInto: chain });
    }
  }
  return chains.flatMap(({ chain, mergedInto }) =>
    chain.entries.map((entry) => [
      mergedInto ? `${chain.unitName}（已并入 ${mergedInto.unitName}）` : chain.unitName,
      `${KIND_ZH[entry.kind]}${entry.late ? '（迟报）' : ''}`,
      formatTime(entry.at),
      entry.byName,
      entry.description,
    ]),
  );
}
