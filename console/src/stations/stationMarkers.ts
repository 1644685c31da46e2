/**
 * The monitoring stations as a layer of the command map: one small badge per station with its latest value,
 * coloured by its level (grey and struck through when offline); clicking one opens its chart.
 */
import type { StationStateView } from '@beacon/protocol';
import { watch } from 'vue';
import L from '../command/leafletGlobal.ts';
import { shown } from '../shown.ts';
import { stations } from './stationStore.ts';
import './stationMarkers.css';

const UNIT: Record<StationStateView['kind'], string> = { rain: 'mm', water_level: 'm', displacement: 'mm' };
const markers = L.layerGroup();

/** What the badge says: rain its 1 h total, a stage the latest value, displacement its 24 h movement. */
export function badgeText(s: StationStateView): string {
  const value = s.kind === 'rain' ? s.accumulated.h1 : s.kind === 'displacement' ? s.accumulated.h24 : s.lastValue;
  return value === undefined || value === null ? '—' : `${Math.round(value * 10) / 10}${UNIT[s.kind]}`;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function drawMarkers(): void {
  markers.clearLayers();
  for (const s of Object.values(stations.states)) {
    const level = s.offline ? 'offline' : (s.level ?? 'none');
    const marker = L.marker([s.lat, s.lon], {
      icon: L.divIcon({
        className: 'station-icon',
        html: `<span class="station-marker" data-testid="station-marker" data-station-id="${escapeHtml(s.stationId)}" data-level="${level}">${escapeHtml(badgeText(s))}</span>`,
        iconSize: [0, 0],
      }),
      title: s.name,
      zIndexOffset: 500,
    });
    marker.on('click', () => {
      stations.selected = s.stationId;
    });
    markers.addLayer(marker);
  }
}

watch(
  () => shown.commandMap.value,
  (map) => map?.addOverlay(markers),
  { immediate: true },
);
watch(
  () =>
    Object.values(stations.states)
      .map((s) => `${s.stationId}:${s.level}:${s.offline}:${badgeText(s)}`)
      .join(),
  drawMarkers,
);
