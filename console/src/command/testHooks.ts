/**
 * `window.__beaconCommand`: lets the e2e tests put a warning area on the map
 * exactly as the drawing tool would (Playwright cannot draw reliably).
 */
import type { LatLon } from '@beacon/protocol';
import type { CommandMap } from './CommandMap.ts';

export interface BeaconCommandHooks {
  drawPolygon(points: LatLon[]): void;
  drawCircle(center: LatLon, radiusKm: number): void;
}

declare global {
  interface Window {
    __beaconCommand?: BeaconCommandHooks;
  }
}

export function installCommandHooks(map: CommandMap): void {
  window.__beaconCommand = {
    drawPolygon: (points) => map.drawPolygon(points),
    drawCircle: (center, radiusKm) => map.drawCircle(center, radiusKm),
  };
}

export function removeCommandHooks(): void {
  delete window.__beaconCommand;
}
