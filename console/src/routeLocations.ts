/** Where the pages with parameters are (router.ts names every route). */
import type { RouteLocationRaw } from 'vue-router';

/** A conference; `audience` joins view-only. */
export function roomLocation(roomId: string, audience = false): RouteLocationRaw {
  return { name: 'room', params: { roomId }, query: audience ? { audience: '1' } : {} };
}

export function recordsLocation(roomId: string): RouteLocationRaw {
  return { name: 'records', params: { roomId } };
}
