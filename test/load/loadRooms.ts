/**
 * Rooms for a load run, created through the REST API as a room creator
 * (admin, chair or duty officer) would: `load-<n>` meeting rooms, kept
 * between runs (there is no room deletion), so a second run reuses them.
 */
import type { RoomView } from '@beacon/protocol';
import { apiJson, loginApi } from '../src/signaling.ts';

export interface LoadRoomsOptions {
  url: string;
  /** A room creator's account. Default `admin`. */
  username?: string;
  password: string;
  count: number;
  /** Room ids are `<prefix>-<n>`. Default `load`. */
  prefix?: string;
}

/** Ids of `count` load rooms, creating those that do not exist yet. */
export async function ensureLoadRooms(opts: LoadRoomsOptions): Promise<string[]> {
  const { token } = await loginApi(opts.url, opts.username ?? 'admin', opts.password);
  const wanted = Array.from({ length: opts.count }, (_, n) => `${opts.prefix ?? 'load'}-${n + 1}`);
  const existing = new Set((await apiJson<RoomView[]>(opts.url, token, '/api/v1/rooms')).map((room) => room.id));
  for (const id of wanted) {
    if (existing.has(id)) continue;
    const body = JSON.stringify({ id, title: `压力测试 ${id}`, kind: 'meeting' });
    await apiJson(opts.url, token, '/api/v1/rooms', { method: 'POST', body });
  }
  return wanted;
}
