/** What the desks' tests share: an acting account, and the code a refused call failed with. */
import { BeaconError } from '@beacon/protocol';
import { expect } from 'vitest';
import type { Actor } from '../CommandBus.ts';

export const actor = (userId: string, role: Actor['role'], unit: Partial<Actor> = {}): Actor => ({
  userId,
  username: userId,
  displayName: userId,
  role,
  townshipId: null,
  ...unit,
});

/** The BeaconError code `promise` rejects with (fails the test when it resolves or throws something else). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(BeaconError);
  return (error as BeaconError).code;
}
