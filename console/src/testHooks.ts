/**
 * `window.__beacon`: what the e2e tests and the join-latency bench read from
 * the page. Keep the shape stable; it is a contract with test/src/browser.ts.
 */
import type { ConferenceSession } from './conference/ConferenceSession.ts';
import { statsAsObjects } from './conference/MediaSession.ts';

export interface BeaconTestHooks {
  recvTransportStats(): Promise<Record<string, unknown>[]>;
  sendTransportStats(): Promise<Record<string, unknown>[]>;
  /** Remote peers currently shown (never ourselves). */
  peerIds(): string[];
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
  };
}
