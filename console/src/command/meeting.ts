/** "一键会商": the server creates the emergency room and invites the townships; we join it as chair. */
import { roomLocation } from '../routeLocations.ts';
import { router } from '../router.ts';
import { showToast } from '../toast.ts';
import { reportError } from './commandStore.ts';

export async function joinEmergencyMeeting(start: () => Promise<{ roomId: string }>): Promise<void> {
  try {
    const { roomId } = await start();
    showToast('command.meetingStarted');
    await router.push(roomLocation(roomId));
  } catch (error) {
    reportError(error);
  }
}
