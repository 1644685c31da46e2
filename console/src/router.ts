/**
 * A hash router: `#/login`, `#/rooms`, `#/room/<roomId>` (with `?audience=1`
 * to join view-only), `#/rooms/<roomId>/records` (recordings, attendance),
 * `#/command` (the duty officer's map command room) and `#/terminal` (the
 * full-screen page of a township's video terminal).
 */
import { readonly, ref } from 'vue';

export type Route =
  | { name: 'login' }
  | { name: 'rooms' }
  | { name: 'room'; roomId: string; audience: boolean }
  | { name: 'records'; roomId: string }
  | { name: 'command' }
  | { name: 'terminal' };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const room = /^\/room\/([^/?#]+)(?:\?(.*))?/.exec(path);
  if (room?.[1]) {
    const audience = new URLSearchParams(room[2] ?? '').get('audience');
    return { name: 'room', roomId: decodeURIComponent(room[1]), audience: audience === '1' || audience === 'true' };
  }
  const records = /^\/rooms\/([^/?#]+)\/records/.exec(path);
  if (records?.[1]) return { name: 'records', roomId: decodeURIComponent(records[1]) };
  if (path.startsWith('/login')) return { name: 'login' };
  if (path.startsWith('/command')) return { name: 'command' };
  if (path.startsWith('/terminal')) return { name: 'terminal' };
  return { name: 'rooms' };
}

const current = ref<Route>(parseHash(location.hash));
window.addEventListener('hashchange', () => {
  current.value = parseHash(location.hash);
});

export const route = readonly(current);

function hashOf(to: Route): string {
  switch (to.name) {
    case 'room':
      return `#/room/${encodeURIComponent(to.roomId)}${to.audience ? '?audience=1' : ''}`;
    case 'records':
      return `#/rooms/${encodeURIComponent(to.roomId)}/records`;
    default:
      return `#/${to.name}`;
  }
}

export function navigate(to: Route): void {
  const hash = hashOf(to);
  if (location.hash !== hash) location.hash = hash;
}

/** A one-off message for the next page (e.g. "removed by the chair" on the room list); an i18n key. */
export const flash = ref<string | null>(null);
