/** The signed-in roles the fuzz sends as: one of each account role the demo city has, and a service. */
import { mintServiceToken } from '../load/legTokens.ts';
import { loginApi } from '../src/signaling.ts';

export const ROLE_ACCOUNTS = [
  { label: 'admin', username: 'admin' },
  { label: 'chair', username: 'chair' },
  { label: 'duty_officer', username: 'duty' },
  { label: 'township lucheng', username: 'lucheng' },
  { label: 'township donggua', username: 'donggua' },
] as const;

export async function roleTokens(url: string, jwtSecret: string): Promise<{ label: string; token: string }[]> {
  const signedIn = await Promise.all(
    ROLE_ACCOUNTS.map(async ({ label, username }) => ({ label, token: (await loginApi(url, username)).token })),
  );
  return [...signedIn, { label: 'service', token: await mintServiceToken(jwtSecret) }];
}
