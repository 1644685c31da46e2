/**
 * The console's pages as hash routes (vue-router, hash history: the server
 * serves one index.html and never sees the part after '#'):
 *
 *   #/login                     sign in
 *   #/rooms                     the room list (#/ and no hash: the landing page, below)
 *   #/room/<roomId>[?audience=1] a conference (audience: view-only)
 *   #/rooms/<roomId>/records    a room's recordings and attendance
 *   #/command                   the duty officer's map command room (Leaflet: loaded when opened)
 *   #/terminal                  a township video terminal's full-screen page
 *   #/admin[/<section>]         the organisation's administration (admins; Element Plus: loaded when opened)
 *   #/duty                      the duty roster by month (排班; Element Plus: loaded when opened)
 *   #/duty/handover/<id>        a shift handover, print-friendly (交接班记录)
 *   #/meetings                  meetings on a schedule: calendar, booking, receipts (Element Plus: loaded when opened)
 *
 * Auth guard: every page needs a signed-in user. Without one App.vue shows the
 * login form in place and keeps the URL, so a deep link opens right after
 * signing in. Landing: signed in on #/login or at a plain start (#/ or no
 * hash), a township account goes to its terminal page and everyone else to
 * the room list; a meeting the terminal joined by itself ends on the room
 * list, which sends it back to the terminal page.
 */
import { watch } from 'vue';
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { adminRedirect } from './admin/access.ts';
import ConferencePage from './conference/components/ConferencePage.vue';
import RecordsPage from './conference/components/RecordsPage.vue';
import RoomsPage from './conference/components/RoomsPage.vue';
import { session } from './session.ts';
import LoginPage from './shared/components/LoginPage.vue';
import { homeRoute, redirectFor } from './terminal/landing.ts';
import TerminalPage from './terminal/TerminalPage.vue';

export const routes: RouteRecordRaw[] = [
  // A plain start: the guard sends a signed-in user to its landing page.
  { path: '/', name: 'start', component: RoomsPage },
  { path: '/login', name: 'login', component: LoginPage },
  { path: '/rooms', name: 'rooms', component: RoomsPage },
  {
    path: '/room/:roomId',
    name: 'room',
    component: ConferencePage,
    props: (route) => ({
      roomId: String(route.params.roomId),
      audience: route.query.audience === '1' || route.query.audience === 'true',
    }),
  },
  { path: '/rooms/:roomId/records', name: 'records', component: RecordsPage, props: true },
  { path: '/command', name: 'command', component: () => import('./command/CommandRoomPage.vue') },
  { path: '/terminal', name: 'terminal', component: TerminalPage },
  {
    path: '/admin/:section?',
    name: 'admin',
    component: () => import('./admin/AdminPage.vue'),
    props: true,
    beforeEnter: () => adminRedirect(session.user) ?? true,
  },
  { path: '/duty', name: 'duty', component: () => import('./duty/DutyRosterPage.vue') },
  {
    path: '/duty/handover/:id',
    name: 'handover',
    component: () => import('./duty/HandoverPrintPage.vue'),
    props: true,
  },
  { path: '/meetings', name: 'meetings', component: () => import('./meetings/MeetingsPage.vue') },
  { path: '/:unknown(.*)*', redirect: { name: 'rooms' } },
];

export const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach((to) => redirectFor(to.name, session.user) ?? true);

// Signing in happens on whatever page the URL names: on #/login or a plain start, go to the landing page.
watch(
  () => session.user,
  (user) => {
    const name = router.currentRoute.value.name;
    if (user && (name === 'login' || name === 'start')) void router.replace(homeRoute(user));
  },
);
