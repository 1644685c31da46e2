/**
 * Where a signed-in user lands: a township or department account on its
 * terminal page (its alerts, tasks and meeting invites), everyone else on
 * the room list. A meeting the terminal joined by itself
 * (the city's invite) returns to the terminal page when it ends: the
 * conference page goes to the room list on end/leave, and the router asks
 * `takeReturnToTerminal()` there. Session storage keeps the flag through a
 * reload inside the meeting.
 */
import type { UserView } from '@beacon/protocol';

const RETURN_KEY = 'beacon.terminal.returnAfterMeeting';

type FlagStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function homeRoute(user: Pick<UserView, 'role'>): { name: 'terminal' | 'rooms' } {
  return user.role === 'township' || user.role === 'department' ? { name: 'terminal' } : { name: 'rooms' };
}

export function rememberReturnToTerminal(storage: FlagStorage = sessionStorage): void {
  storage.setItem(RETURN_KEY, '1');
}

/**
 * The router's guard: where a navigation to the route named `to` goes
 * instead, or null to let it through. Signed out, every page shows the login
 * form in place (the URL, a deep link, is kept). Signed in, #/login and a
 * plain start (#/) go to the landing page; the room list goes back to the
 * terminal after a meeting the terminal joined by itself.
 */
export function redirectFor(
  to: string | symbol | null | undefined,
  user: Pick<UserView, 'role'> | null,
  storage: FlagStorage = sessionStorage,
): { name: 'terminal' | 'rooms' } | null {
  if (!user) return null;
  if (to === 'login' || to === 'start') return homeRoute(user);
  if (to === 'rooms' && takeReturnToTerminal(storage)) return { name: 'terminal' };
  return null;
}

/** True once after a terminal-initiated meeting (the flag is cleared). */
export function takeReturnToTerminal(storage: FlagStorage = sessionStorage): boolean {
  const set = storage.getItem(RETURN_KEY) === '1';
  storage.removeItem(RETURN_KEY);
  return set;
}
