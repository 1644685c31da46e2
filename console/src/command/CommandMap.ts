/**
 * The Leaflet map of the command room, without Vue: an offline basemap
 * (the townships' imported boundaries; approximate cells, 示意, for those
 * without one), township presence markers, incident
 * markers, and one warning area drawn with leaflet-geoman (or put there by
 * `showArea`, e.g. from an imported CAP file). Changes go out through the
 * delegate; the page owns the state.
 */
import type {
  BoundaryGeometry,
  IncidentView,
  LatLon,
  TerminalPresence,
  TownshipView,
  WarningArea,
} from '@beacon/protocol';
import type { GeoJsonObject } from 'geojson';
import L from './leafletGlobal.ts';
import '@geoman-io/leaflet-geoman-free';
import 'leaflet/dist/leaflet.css';
import '@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css';
import { townshipCells } from './cells.ts';
import { incidentMarkerHtml, phoneState, townshipMarkerHtml, videoState } from './mapIcons.ts';

export interface CommandMapDelegate {
  onTownshipClick(townshipId: string): void;
  onIncidentClick(incidentId: string): void;
  /** A click on empty map (used by the incident place mode). */
  onMapClick(location: LatLon): void;
  /** A warning area was drawn or edited on the map. */
  onAreaDrawn(area: WarningArea): void;
}

const CELL_STYLE: L.PathOptions = { color: '#5b7aa6', weight: 1, fillColor: '#dfe8f3', fillOpacity: 0.55 };
/** A real boundary: solid and darker than a cell, so the two never look alike. */
const BOUNDARY_STYLE: L.PathOptions = { color: '#18345f', weight: 1.5, fillColor: '#d3e0ef', fillOpacity: 0.55 };
const CELL_HIGHLIGHT: L.PathOptions = { fillColor: '#f2a33a', fillOpacity: 0.6 };
const AREA_STYLE: L.PathOptions = { color: '#c8102e', weight: 2, fillOpacity: 0.15, dashArray: '6 4' };

export class CommandMap {
  readonly #map: L.Map;
  readonly #delegate: CommandMapDelegate;
  readonly #basemap = L.layerGroup();
  readonly #townshipLayer = L.layerGroup();
  readonly #incidentLayer = L.layerGroup();
  readonly #markers = new Map<string, L.Marker>();
  /** Each township's shape: its imported boundary, or else its approximate cell. */
  readonly #cells = new Map<string, L.Polygon | L.GeoJSON>();
  #shapeStyle = new Map<string, L.PathOptions>();
  readonly #incidentMarkers = new Map<string, L.Marker>();
  #area: L.Polygon | L.Circle | L.FeatureGroup | null = null;
  #highlighted = new Set<string>();
  #shares: Readonly<Record<string, number>> = {};
  #shareLabel: (share: number) => string = (share) => `${Math.round(share * 100)}%`;

  constructor(element: HTMLElement, delegate: CommandMapDelegate) {
    this.#delegate = delegate;
    this.#map = L.map(element, {
      zoomControl: true,
      zoomSnap: 0.25,
      attributionControl: false,
      preferCanvas: false,
    });
    this.#map.setView([24.95, 101.45], 10);
    this.#basemap.addTo(this.#map);
    this.#townshipLayer.addTo(this.#map);
    this.#incidentLayer.addTo(this.#map);
    this.#map.on('click', (e: L.LeafletMouseEvent) => delegate.onMapClick([e.latlng.lat, e.latlng.lng]));
    this.#map.pm.setGlobalOptions({ pathOptions: AREA_STYLE });
    this.#map.on('pm:create', (e) => this.#adopt(e.layer));
  }

  /**
   * Offline first: the bundled outline is always there; an online XYZ layer
   * (e.g. Tianditu with a key) goes underneath only when the deployment sets one.
   */
  addTileLayer(url: string, attribution: string | null): void {
    if (attribution) L.control.attribution({ prefix: false }).addTo(this.#map);
    L.tileLayer(url, { maxZoom: 18, attribution: attribution ?? '' })
      .addTo(this.#map)
      .bringToBack();
  }

  /** Another part's layer (the report inbox's markers) on this map; the part keeps and clears it. */
  addOverlay(layer: L.Layer): void {
    layer.addTo(this.#map);
  }

  destroy(): void {
    this.#map.remove();
    // Leaflet 1.9 ends a zoom animation on a 250 ms timer that still runs after remove() and then reads the
    // removed panes (TypeError '_leaflet_pos', Leaflet issue #9575): leaving the command room mid-zoom threw.
    // The timer's handler does nothing once no zoom animation is marked as running.
    (this.#map as unknown as { _animatingZoom: boolean })._animatingZoom = false;
  }

  /**
   * Rebuilds the basemap and the township markers (labels in the current language): a township's
   * imported boundary when it has one (GeoJSON, [lon, lat]), its approximate cell otherwise; the
   * approximate city outline only while some township has no boundary.
   */
  setTownships(
    townships: readonly TownshipView[],
    label: (t: TownshipView) => string,
    approximateNote: string,
    boundaries: Readonly<Record<string, BoundaryGeometry>> = {},
  ): void {
    this.#basemap.clearLayers();
    this.#townshipLayer.clearLayers();
    this.#markers.clear();
    this.#cells.clear();
    this.#shapeStyle.clear();
    if (townships.length === 0) return;
    const { outline, cells } = townshipCells(townships);
    const bounds = L.latLngBounds(outline);
    if (townships.some((t) => !boundaries[t.id])) {
      L.polygon(outline, { color: '#18345f', weight: 2, fill: false, interactive: false, pmIgnore: true })
        .bindTooltip(approximateNote, { sticky: true })
        .addTo(this.#basemap);
    }
    for (const township of townships) {
      const shape = this.#shapeOf(township.id, boundaries[township.id], cells.get(township.id));
      if (shape) {
        shape.addTo(this.#basemap);
        shape.on('click', (e: L.LeafletMouseEvent) => {
          L.DomEvent.stopPropagation(e);
          this.#delegate.onMapClick([e.latlng.lat, e.latlng.lng]);
        });
        this.#cells.set(township.id, shape);
        if (boundaries[township.id]) bounds.extend((shape as L.GeoJSON).getBounds());
      }
      const marker = L.marker([township.lat, township.lon], {
        icon: L.divIcon({
          className: 'tw-icon',
          html: townshipMarkerHtml(township.id, label(township)),
          iconSize: [0, 0],
        }),
        pmIgnore: true,
        riseOnHover: true,
      }).addTo(this.#townshipLayer);
      marker.on('click', () => this.#delegate.onTownshipClick(township.id));
      this.#markers.set(township.id, marker);
    }
    // Imported boundaries over the approximate cells: a neighbour's cell may reach into a real boundary.
    for (const [id, shape] of this.#cells) if (boundaries[id]) shape.bringToFront();
    this.#map.fitBounds(bounds, { padding: [10, 10] });
    this.setHighlighted([...this.#highlighted], this.#shares);
  }

  /** An imported boundary (class `tw-boundary`) or the approximate cell (class `tw-cell`). */
  #shapeOf(
    id: string,
    boundary: BoundaryGeometry | undefined,
    ring: LatLon[] | undefined,
  ): L.Polygon | L.GeoJSON | null {
    if (boundary) {
      const style = { ...BOUNDARY_STYLE, className: `tw-boundary tw-boundary-${id}` };
      this.#shapeStyle.set(id, style);
      return L.geoJSON(boundary as GeoJsonObject, { style: () => style, pmIgnore: true });
    }
    if (!ring) return null;
    const style = { ...CELL_STYLE, className: `tw-cell tw-cell-${id}` };
    this.#shapeStyle.set(id, style);
    return L.polygon(ring, { ...style, pmIgnore: true });
  }

  setPresence(townshipId: string, presence: TerminalPresence | undefined): void {
    const element = this.#markerElement(townshipId);
    if (!element) return;
    element.dataset.video = videoState(presence);
    element.dataset.phone = phoneState(presence);
  }

  /**
   * Townships covered by the previewed warning area; `shares` (0–1) of those with a boundary
   * show on their marker, through `shareLabel` ("覆盖 37%").
   */
  setHighlighted(
    townshipIds: readonly string[],
    shares: Readonly<Record<string, number>> = {},
    shareLabel: (share: number) => string = (share) => `${Math.round(share * 100)}%`,
  ): void {
    this.#highlighted = new Set(townshipIds);
    this.#shares = shares;
    this.#shareLabel = shareLabel;
    for (const [id, shape] of this.#cells) {
      const base = this.#shapeStyle.get(id) ?? CELL_STYLE;
      shape.setStyle(this.#highlighted.has(id) ? { ...base, ...CELL_HIGHLIGHT } : base);
    }
    for (const id of this.#markers.keys()) {
      const element = this.#markerElement(id);
      if (!element) continue;
      element.dataset.highlight = String(this.#highlighted.has(id));
      const share = this.#highlighted.has(id) ? shares[id] : undefined;
      let badge = element.querySelector<HTMLElement>('.tw-share');
      if (share === undefined) {
        badge?.remove();
        continue;
      }
      if (!badge) {
        badge = document.createElement('span');
        badge.className = 'tw-share';
        badge.dataset.testid = `map-share-${id}`;
        element.append(badge);
      }
      badge.textContent = this.#shareLabel(share);
    }
  }

  setIncidents(incidents: readonly IncidentView[]): void {
    const keep = new Set(incidents.map((i) => i.id));
    for (const [id, marker] of this.#incidentMarkers) {
      if (!keep.has(id)) {
        marker.remove();
        this.#incidentMarkers.delete(id);
      }
    }
    for (const incident of incidents) {
      // Anchored like a pin above its point, so it never covers a township label at the same place.
      const icon = L.divIcon({
        className: 'incident-icon',
        html: incidentMarkerHtml(incident),
        iconSize: [26, 26],
        iconAnchor: [13, 40],
      });
      const existing = this.#incidentMarkers.get(incident.id);
      if (existing) {
        existing.setLatLng(incident.location).setIcon(icon);
        continue;
      }
      const marker = L.marker(incident.location, { icon, pmIgnore: true, zIndexOffset: 500 }).addTo(
        this.#incidentLayer,
      );
      marker.on('click', () => this.#delegate.onIncidentClick(incident.id));
      this.#incidentMarkers.set(incident.id, marker);
    }
  }

  /** Starts the drawing tool; the shape arrives through `onAreaDrawn`. */
  startDrawing(shape: 'polygon' | 'circle'): void {
    this.#map.pm.enableDraw(shape === 'polygon' ? 'Polygon' : 'Circle', { pathOptions: AREA_STYLE });
  }

  /** Puts a polygon on the map exactly as the drawing tool would (tests; Playwright cannot draw reliably). */
  drawPolygon(points: readonly LatLon[]): void {
    this.#adopt(
      L.polygon(
        points.map(([lat, lon]) => L.latLng(lat, lon)),
        AREA_STYLE,
      ).addTo(this.#map),
    );
  }

  drawCircle(center: LatLon, radiusKm: number): void {
    this.#adopt(L.circle(center, { ...AREA_STYLE, radius: radiusKm * 1000 }).addTo(this.#map));
  }

  /** Shows an area that did not come from drawing (an imported or stored warning), without reporting it. */
  showArea(area: WarningArea | null): void {
    this.#area?.remove();
    this.#area = null;
    if (!area) return;
    const shape = (part: Exclude<WarningArea, { type: 'multi' }>) =>
      part.type === 'polygon'
        ? L.polygon(part.points, AREA_STYLE)
        : L.circle(part.center, { ...AREA_STYLE, radius: part.radiusKm * 1000 });
    // Several shapes (a CAP alert's areas) show together; their union is the warning's area.
    this.#area = (area.type === 'multi' ? L.featureGroup(area.parts.map(shape)) : shape(area)).addTo(this.#map);
    this.#map.fitBounds(this.#area.getBounds(), { padding: [30, 30], maxZoom: 12 });
  }

  flyTo(location: LatLon): void {
    this.#map.panTo(location);
  }

  setCrosshair(on: boolean): void {
    this.#map.getContainer().style.cursor = on ? 'crosshair' : '';
  }

  #markerElement(townshipId: string): HTMLElement | null {
    return this.#markers.get(townshipId)?.getElement()?.querySelector<HTMLElement>('.tw-marker') ?? null;
  }

  /** One warning area at a time: a new shape replaces the old one; edits are reported too. */
  #adopt(layer: L.Layer): void {
    if (!(layer instanceof L.Polygon) && !(layer instanceof L.Circle)) {
      layer.remove();
      return;
    }
    if (this.#area !== layer) this.#area?.remove();
    this.#area = layer;
    layer.on('pm:edit', () => this.#report(layer));
    this.#report(layer);
  }

  #report(layer: L.Polygon | L.Circle): void {
    if (layer instanceof L.Circle) {
      const c = layer.getLatLng();
      this.#delegate.onAreaDrawn({ type: 'circle', center: [c.lat, c.lng], radiusKm: layer.getRadius() / 1000 });
      return;
    }
    const rings = layer.getLatLngs() as L.LatLng[][];
    const ring = rings[0] ?? [];
    this.#delegate.onAreaDrawn({ type: 'polygon', points: ring.map((p) => [p.lat, p.lng] as LatLon) });
  }
}
