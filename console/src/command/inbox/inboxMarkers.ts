/**
 * The inbox's report chains as markers on the command map: a layer of their
 * own, red while a deadline is missed; clicking one selects its chain.
 */
import type { ReportChainView } from '@beacon/protocol';
import { watch } from 'vue';
import { shown } from '../../shown.ts';
import L from '../leafletGlobal.ts';
import { inbox } from './inboxStore.ts';
import './inboxMarkers.css';

const markers = L.layerGroup();
/** Drawn markers by chain id, with what they were drawn from: a push redraws only the chain that changed. */
const drawn = new Map<string, { marker: L.Marker; key: string }>();

/** What a marker shows; a linked chain is on the map as its incident, a merged one as its main chain. */
const markerKey = (chain: ReportChainView): string | null =>
  chain.state === 'linked' || chain.mergedInto ? null : `${chain.overdue}:${chain.location.join()}:${chain.title}`;

function newMarker(chain: ReportChainView): L.Marker {
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
  return marker;
}

function drawMarkers(): void {
  const seen = new Set<string>();
  for (const chain of inbox.chains) {
    const key = markerKey(chain);
    if (key === null) continue;
    seen.add(chain.id);
    const held = drawn.get(chain.id);
    if (held?.key === key) continue;
    if (held) markers.removeLayer(held.marker);
    const marker = newMarker(chain);
    markers.addLayer(marker);
    drawn.set(chain.id, { marker, key });
  }
  for (const [id, held] of drawn) {
    if (seen.has(id)) continue;
    markers.removeLayer(held.marker);
    drawn.delete(id);
  }
}

watch(
  () => shown.commandMap.value,
  (map) => map?.addOverlay(markers),
  { immediate: true },
);
watch(() => inbox.chains.map((c) => `${c.id}:${markerKey(c)}`).join(), drawMarkers);
