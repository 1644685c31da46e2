/** A hash router for three pages: `#/login`, `#/rooms`, `#/room/<roomId>`. */
import { readonly, ref } from 'vue';

export type Route = { name: 'login' } | { name: 'rooms' } | { name: 'room'; roomId: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const room = /^\/room\/([^/?#]+)/.exec(path);
  if (room?.[1]) return { name: 'room', roomId: decodeURIComponent(room[1]) };
  if (path.startsWith('/login')) return { name: 'login' };
  return { name: 'rooms' };
}

const current = ref<Route>(parseHash(location.hash));
window.addEventListener('hashchange', () => {
  current.value = parseHash(location.hash);
});

export const route = readonly(current);

export function navigate(to: Route): void {
  const hash = to.name === 'room' ? `#/room/${encodeURIComponent(to.roomId)}` : `#/${to.name}`;
  if (location.hash !== hash) location.hash = hash;
}
