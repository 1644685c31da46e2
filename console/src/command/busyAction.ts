/**
 * One pending action at a time for a panel: `busy` disables its buttons while
 * `run`'s action is under way, and a failure is reported like every command-room
 * error (a toast, or back to login when the session is gone).
 */
import { type Ref, ref } from 'vue';
import { reportError } from './commandStore.ts';

export function useBusyAction(): { busy: Ref<boolean>; run: (action: () => Promise<void>) => Promise<void> } {
  const busy = ref(false);
  async function run(action: () => Promise<void>): Promise<void> {
    busy.value = true;
    try {
      await action();
    } catch (error) {
      reportError(error);
    } finally {
      busy.value = false;
    }
  }
  return { busy, run };
}
