/**
 * Whether this server runs the demo city (BEACON_DEMO=on), asked once at
 * start (GET /api/v1/auth/info, open before sign-in): the console then says
 * so on every page, the sign-in page included.
 */
import type { AuthInfo } from '@beacon/protocol';
import { ref } from 'vue';
import { api } from '../api.ts';

export const demoMode = ref(false);

let asked: Promise<void> | undefined;

/** Asks once; an older server without the endpoint, or no answer, means no banner. */
export function loadDemoMode(): Promise<void> {
  asked ??= api<AuthInfo>('/auth/info').then(
    (info) => {
      demoMode.value = info.demo;
    },
    () => undefined,
  );
  return asked;
}
