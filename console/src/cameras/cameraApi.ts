/** GB/T 28181 cameras' REST API (/api/v1/cameras, /api/v1/admin/cameras) through the console's request client. */
import type {
  CameraDeviceAdminView,
  CameraPtzRequest,
  CameraView,
  CreateCameraDeviceRequest,
  UpdateCameraDeviceRequest,
} from '@beacon/protocol';
import { api } from '../api.ts';
import { session } from '../session.ts';

const token = () => session.token;
const at = (id: string) => encodeURIComponent(id);

export const cameraApi = {
  list: () => api<CameraView[]>('/cameras', { token: token() }),
  view: (channelId: string) =>
    api<{ roomId: string }>(`/cameras/${at(channelId)}/view`, { method: 'POST', token: token() }),
  unview: (channelId: string) => api<void>(`/cameras/${at(channelId)}/view`, { method: 'DELETE', token: token() }),
  ptz: (channelId: string, body: CameraPtzRequest) =>
    api<{ command: string }>(`/cameras/${at(channelId)}/ptz`, { method: 'POST', body, token: token() }),
  devices: () => api<CameraDeviceAdminView[]>('/admin/cameras', { token: token() }),
  create: (body: CreateCameraDeviceRequest) => api<unknown>('/admin/cameras', { method: 'POST', body, token: token() }),
  update: (id: string, body: UpdateCameraDeviceRequest) =>
    api<unknown>(`/admin/cameras/${at(id)}`, { method: 'PATCH', body, token: token() }),
  remove: (id: string) => api<void>(`/admin/cameras/${at(id)}`, { method: 'DELETE', token: token() }),
  catalog: (id: string) =>
    api<{ channels: number }>(`/admin/cameras/${at(id)}/catalog`, { method: 'POST', token: token() }),
};
