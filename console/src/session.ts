/**
 * Who is signed in. Persisted in localStorage so a reload keeps the session;
 * renewed before the token expires (POST /auth/renew), the new token handed
 * to every open socket (`onTokenRenewed`, see signaling/SignalingClient.ts);
 * dropped when renewal is refused, the token expires or the server rejects it.
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
let renewalTimer: ReturnType<typeof setTimeout> | undefined;
const renewalListeners = new Set<(token: string) => void>();

/** setTimeout overflows above 2^31-1 ms (~24 days); tokens live far shorter. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Renew this long before expiry: a fifth of the lifetime, at most 5 minutes (a 12 h token: at 11 h 55). */
const renewalLead = (lifetimeMs: number): number => Math.min(lifetimeMs / 5, 5 * 60_000);
/** After a failed renewal (network), try again this soon, while the token still lives. */
const RENEWAL_RETRY_MS = 15_000;

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
  if (msLeft < MAX_TIMER_MS) expiryTimer = setTimeout(() => endSession('token_expired'), msLeft);
  scheduleRenewal(msLeft - renewalLead(msLeft));
}

function scheduleRenewal(delayMs: number): void {
  clearTimeout(renewalTimer);
  if (delayMs < MAX_TIMER_MS) renewalTimer = setTimeout(() => void renew(), Math.max(delayMs, 0));
}

function store(response: LoginResponse): void {
  adopt(response);
  localStorage.setItem(STORAGE_KEY, JSON.stringify(response));
}

/** A fresh token for the current one; open sockets get it (onTokenRenewed) and stay open past the old expiry. */
export async function renew(): Promise<void> {
  const { token } = session;
  if (!token) return;
  let response: LoginResponse;
  try {
    response = await api<LoginResponse>('/auth/renew', { method: 'POST', token });
  } catch (error) {
    if (session.token !== token) return; // signed out or renewed meanwhile
    const code = (error as { code?: string }).code;
    if (code === 'network' || code === 'internal' || code === 'store_unavailable' || code === 'rate_limited') {
      // The server may come back before the token ends; the expiry timer still ends the session if not.
      scheduleRenewal(RENEWAL_RETRY_MS);
      return;
    }
    endSession(code === 'account_disabled' ? 'account_disabled' : 'token_expired');
    return;
  }
  if (session.token !== token) return;
  store(response);
  for (const listener of renewalListeners) listener(response.token);
}

/** Calls `listener` with each renewed token; returns the unsubscribe. */
export function onTokenRenewed(listener: (token: string) => void): () => void {
  renewalListeners.add(listener);
  return () => renewalListeners.delete(listener);
}

export async function login(username: string, password: string): Promise<void> {
  store(await api<LoginResponse>('/auth/login', { method: 'POST', body: { username, password } }));
}

/** Changes the signed-in user's password; the server answers with a fresh session (older tokens stop working). */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const response = await api<LoginResponse>('/auth/password', {
    method: 'POST',
    body: { currentPassword, newPassword },
    token: session.token,
  });
  store(response);
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
  clearTimeout(renewalTimer);
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
