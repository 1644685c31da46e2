/**
 * Demo data the embedded default starts with: Chuxiong city (楚雄市) and its
 * 15 townships. Coordinates are rough placements around 25.03°N 101.55°E for
 * the offline map, not survey data, so every row is marked approximate.
 */
import type { Role, TownshipView } from '@beacon/protocol';
import type { RoomRecord } from './StoreTypes.ts';

type SeedTownship = Omit<TownshipView, 'approximate'>;

/** Order matters: phone extensions are assigned 8001… in this order. */
export const SEED_TOWNSHIPS: readonly SeedTownship[] = [
  { id: 'lucheng', name: '鹿城镇', nameEn: 'Lucheng Town', kind: 'town', lat: 25.04, lon: 101.54 },
  { id: 'donggua', name: '东瓜镇', nameEn: 'Donggua Town', kind: 'town', lat: 25.02, lon: 101.6 },
  { id: 'lvhe', name: '吕合镇', nameEn: 'Lvhe Town', kind: 'town', lat: 25.15, lon: 101.4 },
  { id: 'zixi', name: '紫溪镇', nameEn: 'Zixi Town', kind: 'town', lat: 25.0, lon: 101.42 },
  { id: 'donghua', name: '东华镇', nameEn: 'Donghua Town', kind: 'town', lat: 25.13, lon: 101.63 },
  { id: 'ziwu', name: '子午镇', nameEn: 'Ziwu Town', kind: 'town', lat: 25.24, lon: 101.58 },
  { id: 'cangling', name: '苍岭镇', nameEn: 'Cangling Town', kind: 'town', lat: 24.84, lon: 101.6 },
  { id: 'sanjie', name: '三街镇', nameEn: 'Sanjie Town', kind: 'town', lat: 24.77, lon: 101.46 },
  { id: 'bajiao', name: '八角镇', nameEn: 'Bajiao Town', kind: 'town', lat: 24.7, lon: 101.28 },
  { id: 'zhongshan', name: '中山镇', nameEn: 'Zhongshan Town', kind: 'town', lat: 25.08, lon: 101.22 },
  { id: 'xincun', name: '新村镇', nameEn: 'Xincun Town', kind: 'town', lat: 24.68, lon: 101.58 },
  { id: 'xishelu', name: '西舍路镇', nameEn: 'Xishelu Town', kind: 'town', lat: 24.55, lon: 101.38 },
  { id: 'shuju', name: '树苴乡', nameEn: 'Shuju Township', kind: 'township', lat: 24.95, lon: 101.27 },
  { id: 'daguokou', name: '大过口乡', nameEn: 'Daguokou Township', kind: 'township', lat: 24.84, lon: 101.32 },
  { id: 'dadiji', name: '大地基乡', nameEn: 'Dadiji Township', kind: 'township', lat: 24.62, lon: 101.2 },
];

export const FIRST_PHONE_EXTENSION = 8001;

/** The demo city's departments (部门联动): an admin's list in a real deployment, seeded only with the demo. */
export const SEED_DEPARTMENTS: readonly { id: string; name: string; shortName: string }[] = [
  { id: 'dp-yjj', name: '楚雄市应急管理局', shortName: '应急管理局' },
  { id: 'dp-ga', name: '楚雄市公安局', shortName: '公安' },
  { id: 'dp-qx', name: '楚雄市气象局', shortName: '气象' },
  { id: 'dp-sw', name: '楚雄市水务局', shortName: '水务' },
  { id: 'dp-zrzy', name: '楚雄市自然资源局', shortName: '自然资源' },
  { id: 'dp-lc', name: '楚雄市林业和草原局', shortName: '林草' },
  { id: 'dp-wj', name: '楚雄市卫生健康局', shortName: '卫健' },
  { id: 'dp-jt', name: '楚雄市交通运输局', shortName: '交通' },
];

export interface SeedUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  townshipId: string | null;
}

/** Every demo account gets the configured demo password. */
export const SEED_USERS: readonly SeedUser[] = [
  { id: 'u-admin', username: 'admin', displayName: '系统管理员', role: 'admin', townshipId: null },
  { id: 'u-chair', username: 'chair', displayName: '市领导', role: 'chair', townshipId: null },
  { id: 'u-duty', username: 'duty', displayName: '值班员', role: 'duty_officer', townshipId: null },
  ...SEED_TOWNSHIPS.map((t) => ({
    id: `u-${t.id}`,
    username: t.id,
    displayName: t.name,
    role: 'township' as const,
    townshipId: t.id,
  })),
];

/** Dial numbers and PINs are published with the demo (README); phoneRecords.ts writes them. */
export const SEED_ROOMS: readonly Omit<RoomRecord, 'createdAt' | 'enabled'>[] = [
  { id: 'city-weekly', title: '全市周例会', kind: 'meeting', createdBy: 'u-admin', dialNumber: '6001', pin: '2026' },
  {
    id: 'emergency-drill',
    title: '应急演练',
    kind: 'emergency',
    createdBy: 'u-admin',
    dialNumber: '6002',
    pin: '1234',
  },
];
