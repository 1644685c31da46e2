/** The admin pages are for admin accounts; anyone else goes to their landing page. */
import type { UserView } from '@beacon/protocol';
import { homeRoute } from '../terminal/landing.ts';

/** Where a user opening #/admin goes instead, or null to let it through (signed out: the login form shows in place). */
export function adminRedirect(user: Pick<UserView, 'role'> | null): { name: 'terminal' | 'rooms' } | null {
  if (!user || user.role === 'admin') return null;
  return homeRoute(user);
}
