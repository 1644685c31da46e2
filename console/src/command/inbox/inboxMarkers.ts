/**
 * The inbox's report chains as markers on the command map: a layer of their
 * own, red while a deadline is missed; clicking one selects its chain.
 */
import { watch } from 'vue';
import { shown } from '../../shown.ts';
import L from '../leafletGlobal.ts';
import { inbox } from './inboxStore.ts';
import './inboxMarkers.css';

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
