/**
 * What the gateway needs to call an extension into a room: who it is in the
 * room (phoneIdentity) and whether it is a SIP video terminal, whose INVITE
 * then offers H.264 beside the audio. Every dial-out (the chair's dial panel,
 * the one-click emergency meeting, a booked meeting) builds its request here.
 */
import type { DialRequest } from '@beacon/protocol';
import type { Store } from '../store/index.ts';
import { phoneIdentity } from './phoneIdentity.ts';

export async function dialRequestFor(
  store: Store,
  roomId: string,
  extension: string,
): Promise<Omit<DialRequest, 'requestId'>> {
  const who = await phoneIdentity(store, extension, null);
  const terminal = await store.terminals.findPhoneByExtension(extension);
  return {
    roomId,
    extension,
    displayName: who.displayName,
    townshipId: who.townshipId,
    ...(terminal?.kind === 'sip_video' ? { video: true } : {}),
  };
}
