/**
 * mediasoup-client Devices by the router capabilities they were loaded with.
 * Loading one probes the browser's codecs with a throwaway RTCPeerConnection,
 * which takes tens of milliseconds (hundreds on a busy terminal); a page
 * starts it with the capabilities the server last saw while the socket
 * connects and the join is answered, and a re-join (recovery) reuses it.
 */

import type { MediaCapabilitiesView } from '@beacon/protocol';
import { Device, type types } from 'mediasoup-client';
import { api } from '../api.ts';

export class DeviceCache {
  #entry: { key: string; device: Promise<Device> } | null = null;

  /** Starts loading with the node's capabilities; any failure is left to the join, which loads what it gets. */
  prefetch(token: string): void {
    api<MediaCapabilitiesView>('/media/capabilities', { token })
      .then(({ routerRtpCapabilities }) => {
        if (!this.#entry && routerRtpCapabilities !== null)
          void this.device(routerRtpCapabilities).catch(() => undefined);
      })
      .catch(() => undefined);
  }

  /** A Device loaded with these capabilities: the one loading or loaded, else a new one. */
  device(routerRtpCapabilities: unknown): Promise<Device> {
    const key = JSON.stringify(routerRtpCapabilities);
    if (this.#entry?.key === key) return this.#entry.device;
    const device = new Device();
    const entry = {
      key,
      device: device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities }).then(() => device),
    };
    // A failed load is not kept: the next join tries again.
    entry.device.catch(() => {
      if (this.#entry === entry) this.#entry = null;
    });
    this.#entry = entry;
    return entry.device;
  }
}
