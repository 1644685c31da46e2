/**
 * Who is signed in. Persisted in localStorage so a reload keeps the session;
 * dropped when the token expires or the server rejects it.
 */
import type { LoginResponse, UserView } from '@beacon/protocol';
import { reactive } from 'vue';
import { api } from './api.ts';
import type { ClientErrorCode } from './errors.ts';

const STORAGE_KEY = 'beacon.session';

interface SessionState {
  token: string | null;
  user: UserView | null;
  expiresAt: string | null;
  /** Why the user was sent back to the login page (an error code), shown there. */
  notice: ClientErrorCode | null;
  /** The password was set by someone else: the server refuses everything but changing it. */
  passwordChangeRequired: boolean;
}

export const session = reactive<SessionState>({
  token: null,
  user: null,
  expiresAt: null,
  notice: null,
  passwordChangeRequired: false,
});

let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function adopt(login: LoginResponse): void {
  const msLeft = Date.parse(login.expiresAt) - Date.now();
  if (!(msLeft > 0)) return;
  session.token = login.token;
  session.user = login.user;
  session.expiresAt = login.expiresAt;
  session.notice = null;
  // Sessions stored before the field existed lack it.
  session.passwordChangeRequired = login.passwordChangeRequired ?? false;
  clearTimeout(expiryTimer);
  // setTimeout overflows above 2^31-1 ms (~24 days); tokens live far shorter.
  if (msLeft < 2 ** 31 - 1) expiryTimer = setTimeout(() => endSession('token_expired'), msLeft);
}

export async function login(username: string, password: string): Promise<void> {
  const response = await api<LoginResponse>('/auth/login', { method: 'POST', body: { username, password } });
  adopt(response);
  localStorage.setItem(STORAGE_KEY, JSON.stringify(response));
}

/** Changes the signed-in user's password; the server answers with a fresh session (older tokens stop working). */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const response = await api<LoginResponse>('/auth/password', {
    method: 'POST',
    body: { currentPassword, newPassword },
    token: session.token,
  });
  adopt(response);
  localStorage.setItem(STORAGE_KEY, JSON.stringify(response));
}

/** The user signs out: the server revokes the token (best effort: offline, it still ends here). */
export function signOut(): void {
  const { token } = session;
  if (token) void api('/auth/logout', { method: 'POST', token }).catch(() => undefined);
  endSession();
}

/** Ends the session here; `reason` is shown on the login page (e.g. token_expired). */
export function endSession(reason: ClientErrorCode | null = null): void {
  clearTimeout(expiryTimer);
  localStorage.removeItem(STORAGE_KEY);
  session.token = null;
  session.user = null;
  session.expiresAt = null;
  session.notice = reason;
  session.passwordChangeRequired = false;
}

export function restoreSession(): void {
  const raw = localStorage.getItem(STORAGE_KEY);
  if (!raw) return;
  try {
    adopt(JSON.parse(raw) as LoginResponse);
  } catch {
    localStorage.removeItem(STORAGE_KEY);
  }
  if (!session.token) localStorage.removeItem(STORAGE_KEY);
}

/** Roles that may create conferences (the server checks too). */
export function canCreateRooms(user: UserView | null): boolean {
  return user !== null && ['admin', 'chair', 'duty_officer'].includes(user.role);
}

/** Roles that see the SIP gateway's status, with every phone's address (the server checks too). */
export function canReadSipStatus(user: UserView | null): boolean {
  return user !== null && ['admin', 'chair', 'duty_officer'].includes(user.role);
}
