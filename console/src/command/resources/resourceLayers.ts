/**
 * Resources as map layers that can be switched on and off: rescue teams
 * (coloured by status), depots and shelters, each its own Leaflet layer group
 * on the command map. Loaded when the map appears; a team's colour follows
 * `team:updated` (resourceStore.ts).
 */
import type { DepotView, ShelterView, TeamView } from '@beacon/protocol';
import { formatDepotItems } from '@beacon/protocol/constants';
import { watch } from 'vue';
import { i18n } from '../../i18n/index.ts';
import { shown } from '../../shown.ts';
import L from '../leafletGlobal.ts';
import { loadResources, RESOURCE_LAYERS, type ResourceLayer, resources } from './resourceStore.ts';
import './resourceMarkers.css';

const groups: Record<ResourceLayer, L.LayerGroup> = {
  teams: L.layerGroup(),
  depots: L.layerGroup(),
  shelters: L.layerGroup(),
};

const t = (key: string, values?: Record<string, unknown>) => i18n.global.t(key, values ?? {});

/** A small labelled badge; the text is escaped by the DOM (names come from admins' files). */
function badge(kind: ResourceLayer, id: string, glyph: string, title: string, state?: string): L.DivIcon {
  const span = document.createElement('span');
  span.className = `res-marker res-${kind}`;
  span.dataset.testid = `map-${kind}-${id}`;
  if (state) span.dataset.state = state;
  span.title = title;
  span.textContent = glyph;
  return L.divIcon({ className: 'res-icon', html: span, iconSize: [22, 22] });
}

/** Above the township badges (a team is often based at its township's seat), under incident pins (500). */
const ABOVE_TOWNSHIPS = 300;

function teamMarker(team: TeamView): L.Marker {
  const status = t(`admin.option.teamStatus.${team.status}`);
  const title = `${team.name}（${team.headcount}）${status}`;
  return L.marker([team.lat, team.lon], {
    icon: badge('teams', team.id, '队', title, team.status),
    pmIgnore: true,
    zIndexOffset: ABOVE_TOWNSHIPS,
  });
}

function depotMarker(depot: DepotView): L.Marker {
  const title = `${depot.name} ${formatDepotItems(depot.items)}`;
  return L.marker([depot.lat, depot.lon], {
    icon: badge('depots', depot.id, '物', title),
    pmIgnore: true,
    zIndexOffset: ABOVE_TOWNSHIPS,
  });
}

function shelterMarker(shelter: ShelterView): L.Marker {
  const title = `${shelter.name} ${shelter.occupancy}/${shelter.capacity}`;
  return L.marker([shelter.lat, shelter.lon], {
    icon: badge('shelters', shelter.id, '避', title),
    pmIgnore: true,
    zIndexOffset: ABOVE_TOWNSHIPS,
  });
}

function draw(): void {
  groups.teams.clearLayers();
  for (const team of resources.teams) groups.teams.addLayer(teamMarker(team));
  groups.depots.clearLayers();
  for (const depot of resources.depots) groups.depots.addLayer(depotMarker(depot));
  groups.shelters.clearLayers();
  for (const shelter of resources.shelters) groups.shelters.addLayer(shelterMarker(shelter));
}

/** Each layer on the map while its switch is on. */
function place(): void {
  const map = shown.commandMap.value;
  for (const layer of RESOURCE_LAYERS) {
    if (map && resources.layers[layer]) map.addOverlay(groups[layer]);
    else groups[layer].remove();
  }
}

const reload = () => loadResources().catch(() => {});

watch(
  () => shown.commandMap.value,
  (map) => {
    place();
    if (map) void reload();
  },
  { immediate: true },
);
watch(() => ({ ...resources.layers }), place);
watch(() => [resources.teams, resources.depots, resources.shelters], draw, { deep: true });
