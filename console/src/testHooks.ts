/**
 * `window.__beacon`: what the e2e tests and the join-latency bench read from
 * the page. Keep the shape stable; it is a contract with test/src/browser.ts.
 */
import type { ConferenceSession } from './conference/ConferenceSession.ts';
import { statsAsObjects } from './conference/MediaSession.ts';

export interface ConsumerLayerView {
  consumerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  /** The local consumer is paused (hidden tile, or its producer is paused). */
  paused: boolean;
  /** The layer the server says we receive (`consumer:layers`); null = not reported. */
  spatialLayer: number | null;
}

export interface BeaconTestHooks {
  recvTransportStats(): Promise<Record<string, unknown>[]>;
  sendTransportStats(): Promise<Record<string, unknown>[]>;
  /** Remote peers currently shown (never ourselves). */
  peerIds(): string[];
  consumerLayers(): ConsumerLayerView[];
  socketConnected(): boolean;
}

declare global {
  interface Window {
    __beacon?: BeaconTestHooks;
  }
}

let active: ConferenceSession | null = null;

export function setActiveConference(conference: ConferenceSession | null): void {
  active = conference;
}

export function installTestHooks(): void {
  window.__beacon = {
    recvTransportStats: () => statsAsObjects(active?.media?.recvTransport ?? null),
    sendTransportStats: () => statsAsObjects(active?.media?.sendTransport ?? null),
    peerIds: () => (active ? Object.keys(active.state.peers) : []),
    consumerLayers: () => active?.consumerLayers() ?? [],
    socketConnected: () => active?.signaling.connected ?? false,
  };
}
