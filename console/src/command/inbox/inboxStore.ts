/**
 * The duty desk's inbox of report chains (信息报送): loaded with the command
 * room, kept current by `report:updated` on the staff socket. A chain the
 * desk has not seen before beeps and is counted as unread. Its map marker is
 * drawn by inboxMarkers.ts (Leaflet stays out of this module, which the
 * command store imports and unit tests run without a DOM).
 */
import type { ReportChainView } from '@beacon/protocol';
import { reactive } from 'vue';
import type { SignalingClient } from '../../signaling/SignalingClient.ts';
import { reportApi, upsertChain } from '../../terminal/reports/reportApi.ts';
import { beepNewReport } from './inboxSound.ts';

export const inbox = reactive({
  chains: [] as ReportChainView[],
  unread: 0,
  selected: null as string | null,
  loadError: false,
});

export async function reloadInbox(): Promise<void> {
  try {
    inbox.chains = await reportApi.list();
    inbox.loadError = false;
  } catch {
    inbox.loadError = true;
  }
}

export function applyChain(chain: ReportChainView): void {
  const before = inbox.chains.find((c) => c.id === chain.id);
  upsertChain(inbox.chains, chain);
  if (!before) {
    inbox.unread += 1;
    beepNewReport();
  } else if (chain.overdue && !before.overdue) {
    // A missed deadline is news too.
    beepNewReport();
  }
}

export function listenReports(socket: SignalingClient['socket']): void {
  socket.on('report:updated', applyChain);
  void reloadInbox();
}
