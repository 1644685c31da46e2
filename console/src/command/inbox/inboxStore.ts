/**
 * The duty desk's inbox of report chains (信息报送): loaded with the command
 * room, kept current by `report:updated` on the staff socket. A chain the
 * desk has not seen before beeps, is counted as unread and gets a marker on
 * the command map (a layer of its own, red while a deadline is missed).
 */
import type { ReportChainView } from '@beacon/protocol';
import { reactive, watch } from 'vue';
import { shown } from '../../shown.ts';
import type { SignalingClient } from '../../signaling/SignalingClient.ts';
import { reportApi, upsertChain } from '../../terminal/reports/reportApi.ts';
import L from '../leafletGlobal.ts';
import { beepNewReport } from './inboxSound.ts';
import './inboxMarkers.css';

export const inbox = reactive({
  chains: [] as ReportChainView[],
  unread: 0,
  selected: null as string | null,
  loadError: false,
});

const markers = L.layerGroup();

function drawMarkers(): void {
  markers.clearLayers();
  for (const chain of inbox.chains) {
    if (chain.state === 'linked') continue;
    const marker = L.marker(chain.location, {
      icon: L.divIcon({
        className: `report-marker${chain.overdue ? ' report-marker-overdue' : ''}`,
        html: '<span data-testid="report-marker">报</span>',
        iconSize: [26, 26],
      }),
      title: `${chain.unitName} ${chain.title}`,
    });
    marker.on('click', () => {
      inbox.selected = chain.id;
    });
    markers.addLayer(marker);
  }
}

watch(
  () => shown.commandMap.value,
  (map) => map?.addOverlay(markers),
  { immediate: true },
);
watch(() => inbox.chains.map((c) => `${c.id}:${c.state}:${c.overdue}`).join(), drawMarkers);

export async function reloadInbox(): Promise<void> {
  try {
    inbox.chains = await reportApi.list();
    inbox.loadError = false;
  } catch {
    inbox.loadError = true;
  }
}

export function applyChain(chain: ReportChainView): void {
  const known = inbox.chains.some((c) => c.id === chain.id);
  upsertChain(inbox.chains, chain);
  if (!known) {
    inbox.unread += 1;
    beepNewReport();
  } else if (chain.overdue && chain.entries.length > 0) {
    // A missed deadline is news too.
    const before = inbox.chains.find((c) => c.id === chain.id);
    if (before && !before.overdue) beepNewReport();
  }
}

export function listenReports(socket: SignalingClient['socket']): void {
  socket.on('report:updated', applyChain);
  void reloadInbox();
}
