/**
 * What the page shows right now, for observers outside the components: the
 * test hooks (testing/testHooks.ts, installed by main.ts when the build asks)
 * and the join-latency bench read it. Components only write here.
 */
import { shallowRef } from 'vue';
import type { CommandMap } from './command/CommandMap.ts';
import type { ConferenceSession } from './conference/ConferenceSession.ts';

export const shown = {
  /** The conference page's session (null on every other page). */
  conference: shallowRef<ConferenceSession | null>(null),
  /** The command room's map once it is mounted. */
  commandMap: shallowRef<CommandMap | null>(null),
};
