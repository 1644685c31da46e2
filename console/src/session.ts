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
}

export const session = reactive<SessionState>({ token: null, user: null, expiresAt: null, notice: null });

let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function adopt(login: LoginResponse): void {
  const msLeft = Date.parse(login.expiresAt) - Date.now();
  if (!(msLeft > 0)) return;
  session.token = login.token;
  session.user = login.user;
  session.expiresAt = login.expiresAt;
  session.notice = null;
  clearTimeout(expiryTimer);
  // setTimeout overflows above 2^31-1 ms (~24 days); tokens live far shorter.
  if (msLeft < 2 ** 31 - 1) expiryTimer = setTimeout(() => endSession('token_expired'), msLeft);
}

export async function login(username: string, password: string): Promise<void> {
  const response = await api<LoginResponse>('/auth/login', { method: 'POST', body: { username, password } });
  adopt(response);
  localStorage.setItem(STORAGE_KEY, JSON.stringify(response));
}

/** Signs out; `reason` is shown on the login page (e.g. token_expired). */
export function endSession(reason: ClientErrorCode | null = null): void {
  clearTimeout(expiryTimer);
  localStorage.removeItem(STORAGE_KEY);
  session.token = null;
  session.user = null;
  session.expiresAt = null;
  session.notice = reason;
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
