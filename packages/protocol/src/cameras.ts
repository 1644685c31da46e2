/**
 * GB/T 28181 cameras (国标视频监控): devices an admin registers, the channels
 * their catalogs list, and what the command room sees of them.
 */
import { z } from 'zod';

const gbId = z.string().regex(/^\d{20}$/, '20 digits');

/** POST /api/v1/admin/cameras */
export const createCameraDeviceSchema = z.object({
  id: gbId,
  name: z.string().trim().min(1).max(100),
  /** The digest password the device is configured with (kept as MD5 HA1 only). */
  password: z.string().min(8).max(64),
  townshipId: z.string().trim().min(1).max(64).nullable().default(null),
});
export type CreateCameraDeviceRequest = z.infer<typeof createCameraDeviceSchema>;

/** PATCH /api/v1/admin/cameras/:id */
export const updateCameraDeviceSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    password: z.string().min(8).max(64),
    townshipId: z.string().trim().min(1).max(64).nullable(),
    enabled: z.boolean(),
  })
  .partial()
  .strict();
export type UpdateCameraDeviceRequest = z.infer<typeof updateCameraDeviceSchema>;

/** A registered device as the admin page lists it. */
export interface CameraDeviceAdminView {
  id: string;
  name: string;
  townshipId: string | null;
  enabled: boolean;
  online: boolean;
  channels: number;
  createdAt: string;
}

/** One channel (通道) on the map and in the video wall's list. */
export interface CameraView {
  channelId: string;
  deviceId: string;
  name: string;
  townshipId: string | null;
  lat: number | null;
  lon: number | null;
  /** Device registered and keeping alive, and the channel's catalog status ON. */
  online: boolean;
}

/** POST /api/v1/cameras/:channelId/ptz */
export const cameraPtzSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('move'),
    pan: z.number().int().min(-1).max(1).default(0),
    tilt: z.number().int().min(-1).max(1).default(0),
    zoom: z.number().int().min(-1).max(1).default(0),
    speed: z.number().int().min(1).max(255).default(128),
  }),
  z.object({ action: z.literal('stop') }),
  z.object({ action: z.enum(['presetCall', 'presetSet', 'presetDelete']), preset: z.number().int().min(1).max(255) }),
]);
export type CameraPtzRequest = z.infer<typeof cameraPtzSchema>;

/** To staff consoles. */
export interface CameraServerEvents {
  /** A channel went online or offline (its device registered, stopped keepalives, or a catalog changed it). */
  'camera:updated': (camera: CameraView) => void;
}
