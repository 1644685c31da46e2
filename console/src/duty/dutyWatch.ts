/**
 * A staff console rings for the duty number (值班电话) on every page, not
 * only in the command room: an officer reading the roster, booking a meeting
 * or sitting in a conference still sees the call card. The command room
 * listens on its own staff socket; everywhere else this small socket of the
 * app's does, carrying only the duty events (the server sends `duty:call` to
 * the user's and the staff sockets whatever page opened them).
 */
import { watch } from 'vue';
import { useRoute } from 'vue-router';
import { endSession, session } from '../session.ts';
import { SignalingClient } from '../signaling/SignalingClient.ts';
import { dutyApi } from './dutyApi.ts';
import { duty, listenDuty, releaseDutySocket } from './dutyStore.ts';

/** Roles the duty number rings for (every staff console when nobody is rostered). */
const DUTY_ROLES = ['admin', 'chair', 'duty_officer'];
/** Pages that keep duty current themselves (the command room) or must not ring (the printed handover). */
const OWN_DUTY_PAGES = new Set(['command', 'handover']);

let watcher: SignalingClient | null = null;

function open(token: string, userId: string): void {
  const client = new SignalingClient(token, {
    // Calls that rang before this page opened (or while disconnected) are fetched, then kept by events.
    onConnect: () =>
      void dutyApi
        .calls()
        .then((calls) => {
          if (watcher === client) duty.calls = calls;
        })
        .catch(() => undefined),
    onDisconnect: () => undefined,
    onAuthFailure: (code) => endSession(code),
    onConnectError: () => undefined,
  });
  watcher = client;
  listenDuty(client.socket, userId);
  client.connect();
}

function close(): void {
  if (!watcher) return;
  releaseDutySocket(watcher.socket);
  watcher.close();
  watcher = null;
}

/** Called once by the app: opens and closes the socket as the user and the page change. */
export function useDutyWatch(): void {
  const route = useRoute();
  watch(
    () => {
      const user = session.user;
      const wanted =
        user !== null &&
        session.token !== null &&
        !session.passwordChangeRequired &&
        DUTY_ROLES.includes(user.role) &&
        typeof route.name === 'string' &&
        !OWN_DUTY_PAGES.has(route.name);
      // Keyed by the user alone: a renewed token needs no new socket (SignalingClient follows renewals itself).
      return wanted ? user.id : null;
    },
    (userId) => {
      close();
      if (userId !== null && session.token) open(session.token, userId);
    },
    { immediate: true },
  );
}
