import type zhCN from './zh-CN.ts';

/** English strings of the GB/T 28181 cameras' admin page, typed by the Chinese reference. */
const en: typeof zhCN = {
  cameras: {
    hint: 'GB/T 28181 cameras and NVRs register to this platform with their 20-digit ID and the password set here.',
    add: 'Add device',
    id: 'Device ID (20 digits)',
    name: 'Name',
    password: 'Registration password',
    township: 'Township',
    none: '—',
    online: 'Online',
    offline: 'Offline',
    channels: 'Channels',
    refresh: 'Refresh catalog',
    remove: 'Delete',
    confirmRemove: 'Delete device {name} and its channels?',
    saved: 'Saved',
    catalogDone: '{count} channels listed',
    unavailable: 'The GB/T 28181 platform is off (BEACON_GB28181=on)',
  },
};

export default en;
