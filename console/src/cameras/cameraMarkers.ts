/**
 * The cameras as a layer of the command map: a small camera badge per channel with a position, green when
 * online and grey when offline; clicking an online one opens its live view on the video wall (监控调阅).
 */
import { watch } from 'vue';
import L from '../command/leafletGlobal.ts';
import { shown } from '../shown.ts';
import { openCameraVideo } from '../terminal/videoWall.ts';
import { cameras } from './cameraStore.ts';
import './cameraMarkers.css';

const markers = L.layerGroup();
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function drawMarkers(): void {
  markers.clearLayers();
  for (const c of Object.values(cameras.byId)) {
    if (c.lat === null || c.lon === null) continue;
    const marker = L.marker([c.lat, c.lon], {
      icon: L.divIcon({
        className: 'camera-icon',
        html: `<span class="camera-marker" data-testid="camera-marker" data-channel-id="${c.channelId}" data-online="${c.online}">&#x1F4F9;</span>`,
        iconSize: [0, 0],
      }),
      title: `${escapeHtml(c.name)}${c.online ? '' : ' (离线 / offline)'}`,
      zIndexOffset: 400,
    });
    marker.on('click', () => {
      if (c.online) openCameraVideo(c.channelId).catch(() => undefined);
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
    Object.values(cameras.byId)
      .map((c) => `${c.channelId}:${c.online}:${c.lat}:${c.lon}`)
      .join(),
  drawMarkers,
);
