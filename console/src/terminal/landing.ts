/**
 * Where a signed-in user lands: a township account on its terminal page,
 * everyone else on the room list. A meeting the terminal joined by itself
 * (the city's invite) returns to the terminal page when it ends: the
 * conference page goes to the room list on end/leave, and App.vue asks
 * `takeReturnToTerminal()` there. Session storage keeps the flag through a
 * reload inside the meeting.
 */
import type { UserView } from '@beacon/protocol';
import type { Route } from '../router.ts';

const RETURN_KEY = 'beacon.terminal.returnAfterMeeting';

type FlagStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function homeRoute(user: Pick<UserView, 'role'>): Route {
  return user.role === 'township' ? { name: 'terminal' } : { name: 'rooms' };
}

export function rememberReturnToTerminal(storage: FlagStorage = sessionStorage): void {
  storage.setItem(RETURN_KEY, '1');
}

/** True once after a terminal-initiated meeting (the flag is cleared). */
export function takeReturnToTerminal(storage: FlagStorage = sessionStorage): boolean {
  const set = storage.getItem(RETURN_KEY) === '1';
  storage.removeItem(RETURN_KEY);
  return set;
}
