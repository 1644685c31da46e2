/**
 * The command room's cameras (GB/T 28181 channels): loaded when the room opens, kept live by
 * `camera:updated` (a device registering, going silent, a new catalog). Without the platform
 * (BEACON_GB28181=off) the list stays empty. Drawing stays out (cameraMarkers.ts).
 */
import type { CameraView } from '@beacon/protocol';
import { reactive } from 'vue';
import type { SignalingClient } from '../signaling/SignalingClient.ts';
import { cameraApi } from './cameraApi.ts';

export const cameras = reactive({ byId: {} as Record<string, CameraView> });

export function applyCamera(camera: CameraView): void {
  cameras.byId[camera.channelId] = camera;
}

export async function reloadCameras(): Promise<void> {
  try {
    const list = await cameraApi.list();
    cameras.byId = Object.fromEntries(list.map((c) => [c.channelId, c]));
  } catch {
    // 404 when the platform is off, 403 for accounts that do not see cameras: no layer then.
    cameras.byId = {};
  }
}

export function listenCameras(socket: SignalingClient['socket']): void {
  socket.on('camera:updated', applyCamera);
  void reloadCameras();
}

export function stopCameras(): void {
  cameras.byId = {};
}
