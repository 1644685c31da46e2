/**
 * What the e2e tests and the benches read from, and drive in, the page:
 *
 * - `window.__beacon`: the shown conference's transports' stats, peers,
 *   consumers' layers, socket state;
 * - `window.__beaconCommand`: put a warning area on the command room's map
 *   exactly as the drawing tool would (Playwright cannot draw reliably);
 * - `window.__beaconVideoWall`: open, close and read the video wall's pulls.
 *
 * Keep the shapes stable: they are a contract with test/src/browser.ts and
 * test/e2e. Production code never imports this module: it exposes what is
 * shown (shown.ts) and main.ts installs these hooks when the build asks
 * (`__BEACON_TEST_HOOKS__`, see vite.config.ts).
 */
import type { LatLon } from '@beacon/protocol';
import { watch } from 'vue';
import type { ConsumerLayerView } from '../conference/conferenceState.ts';
import { statsAsObjects } from '../conference/MediaSession.ts';
import { shown } from '../shown.ts';
import {
  cameraPanelKey,
  closePulledVideo,
  findPanel,
  grabSnapshot,
  openCameraVideo,
  openPulledVideo,
  wallPanels,
} from '../terminal/videoWall.ts';

export interface BeaconTestHooks {
  recvTransportStats(): Promise<Record<string, unknown>[]>;
  sendTransportStats(): Promise<Record<string, unknown>[]>;
  /** Remote peers currently shown (never ourselves). */
  peerIds(): string[];
  consumerLayers(): ConsumerLayerView[];
  socketConnected(): boolean;
}

export interface BeaconCommandHooks {
  drawPolygon(points: LatLon[]): void;
  drawCircle(center: LatLon, radiusKm: number): void;
}

export interface VideoWallTestHooks {
  open(townshipId: string): Promise<void>;
  /** Opens a GB/T 28181 camera's live view; its panel's key is `cameraKey(channelId)`. */
  openCamera(channelId: string): Promise<void>;
  cameraKey(channelId: string): string;
  close(townshipId: string): Promise<void>;
  snapshot(townshipId: string): Promise<string | null>;
  panels(): string[];
  framesDecoded(townshipId: string): Promise<number>;
  /** Kinds of the tracks the panel receives (a pull is camera only: ['video']). */
  trackKinds(townshipId: string): string[];
}

declare global {
  interface Window {
    __beacon?: BeaconTestHooks;
    __beaconCommand?: BeaconCommandHooks;
    __beaconVideoWall?: VideoWallTestHooks;
  }
}

export function installTestHooks(): void {
  const conference = () => shown.conference.value;
  window.__beacon = {
    recvTransportStats: () => statsAsObjects(conference()?.media?.recvTransport ?? null),
    sendTransportStats: () => statsAsObjects(conference()?.media?.sendTransport ?? null),
    peerIds: () => Object.keys(conference()?.state.peers ?? {}),
    consumerLayers: () => conference()?.consumerLayers() ?? [],
    socketConnected: () => conference()?.signaling.connected ?? false,
  };
  // There while the command room's map is shown, as the tests expect.
  watch(
    shown.commandMap,
    (map) => {
      if (map) {
        window.__beaconCommand = {
          drawPolygon: (points) => map.drawPolygon(points),
          drawCircle: (center, radiusKm) => map.drawCircle(center, radiusKm),
        };
      } else {
        delete window.__beaconCommand;
      }
    },
    { immediate: true, flush: 'sync' },
  );
  window.__beaconVideoWall = {
    open: openPulledVideo,
    openCamera: openCameraVideo,
    cameraKey: cameraPanelKey,
    close: closePulledVideo,
    snapshot: grabSnapshot,
    panels: () => wallPanels.map((p) => p.townshipId),
    framesDecoded: async (townshipId) => (await findPanel(townshipId)?.framesDecoded()) ?? 0,
    trackKinds: (townshipId) =>
      Object.values(findPanel(townshipId)?.conference?.state.tracks ?? {})
        .map((t) => t.kind)
        .sort(),
  };
}
