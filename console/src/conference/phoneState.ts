/**
 * Desk phones as the console sees them: which phones the dial panel lists
 * (store terminals merged with live registrations) and how a phone peer's
 * state reads. Pure functions: the dial panel and the tiles render these.
 */
import type { PeerInfo, PhoneRegistration, TerminalView } from '@beacon/protocol';
import { DIAL_NUMBER_PATTERN } from '@beacon/protocol/constants';

/** The protocol's rule for extensions and conference numbers (zod-free entry: no zod in the bundle). */
export const DIAL_NUMBER = DIAL_NUMBER_PATTERN;

/** What the panel shows per phone; a call through the gateway wins over registration. */
export type RegistrationStatus = 'registered' | 'unregistered' | 'in_call';

export interface PhoneEntry {
  extension: string;
  terminalId: string | null;
  townshipId: string | null;
  status: RegistrationStatus;
  /** A SIP video terminal: the call offers it video, and the panel marks it so. */
  video: boolean;
}

export function registrationStatus(registration: PhoneRegistration | undefined): RegistrationStatus {
  if (registration?.inCall) return 'in_call';
  return registration?.registered ? 'registered' : 'unregistered';
}

/**
 * Every phone the panel offers: the store's desk phones and SIP video
 * terminals (listed even when not registered, so a chair sees which township
 * is unreachable) plus registered extensions Beacon has no terminal for. Sorted by extension,
 * which is the townships' order in the demo data (8001 鹿城镇 …).
 */
export function phoneDirectory(
  terminals: readonly TerminalView[],
  registrations: readonly PhoneRegistration[],
): PhoneEntry[] {
  const byExtension = new Map(registrations.map((r) => [r.extension, r]));
  const entries = new Map<string, PhoneEntry>();
  for (const terminal of terminals) {
    if ((terminal.kind !== 'sip_phone' && terminal.kind !== 'sip_video') || !terminal.extension) continue;
    const registration = byExtension.get(terminal.extension);
    entries.set(terminal.extension, {
      extension: terminal.extension,
      terminalId: terminal.id,
      townshipId: terminal.townshipId,
      status: registrationStatus(registration),
      video: terminal.kind === 'sip_video',
    });
  }
  for (const registration of registrations) {
    if (entries.has(registration.extension)) continue;
    entries.set(registration.extension, {
      extension: registration.extension,
      terminalId: registration.terminalId,
      townshipId: registration.townshipId,
      status: registrationStatus(registration),
      video: false,
    });
  }
  return [...entries.values()].sort(
    (a, b) => a.extension.length - b.extension.length || a.extension.localeCompare(b.extension),
  );
}

export function isPhone(peer: PeerInfo): boolean {
  return peer.device === 'phone';
}

/** Extensions of the phones already in the room (no point calling them again). */
export function extensionsInRoom(peers: Iterable<PeerInfo>): Set<string> {
  const inRoom = new Set<string>();
  for (const peer of peers) {
    if (peer.device === 'phone' && peer.phone?.extension) inRoom.add(peer.phone.extension);
  }
  return inRoom;
}
