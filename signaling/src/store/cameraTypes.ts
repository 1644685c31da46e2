/** Types of the GB/T 28181 store: devices (国标设备) an admin registers and the channels (通道) their catalogs list. */

/** A device as the admin pages and the platform see it (never its digest secret). */
export interface CameraDeviceView {
  /** 20-digit device ID (the SIP user name it registers with). */
  id: string;
  name: string;
  townshipId: string | null;
  enabled: boolean;
  createdAt: string;
}

export interface CameraChannelRecord {
  deviceId: string;
  channelId: string;
  name: string;
  /** Digits 11–13 of the channel ID: 131 camera, 132 IP camera, … */
  typeCode: string;
  manufacturer: string | null;
  model: string | null;
  address: string | null;
  lon: number | null;
  lat: number | null;
  /** What the device's catalog said (ON/OFF); live presence comes from keepalives. */
  reportedOnline: boolean;
  updatedAt: string;
}

export interface CameraRepository {
  listDevices(): Promise<CameraDeviceView[]>;
  getDevice(id: string): Promise<CameraDeviceView | undefined>;
  /** `conflict` for a taken ID; `bad_request` for an unknown township. */
  createDevice(input: {
    id: string;
    name: string;
    townshipId: string | null;
    realm: string;
    ha1: string;
  }): Promise<CameraDeviceView>;
  updateDevice(
    id: string,
    patch: { name?: string; townshipId?: string | null; enabled?: boolean; realm?: string; ha1?: string },
  ): Promise<CameraDeviceView | undefined>;
  /** Deletes the device and its channels; false when there was none. */
  deleteDevice(id: string): Promise<boolean>;
  /** The digest secret of an enabled device under that realm; undefined otherwise. */
  digestHa1(id: string, realm: string): Promise<string | undefined>;
  /** Replaces what the device's catalog said: the listed channels are written, others of the device removed. */
  replaceChannels(deviceId: string, channels: Omit<CameraChannelRecord, 'deviceId' | 'updatedAt'>[]): Promise<void>;
  listChannels(): Promise<CameraChannelRecord[]>;
  getChannel(channelId: string): Promise<CameraChannelRecord | undefined>;
}
