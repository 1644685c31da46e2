/**
 * Who a phone is in a room: a known extension is its township's terminal
 * (`鹿城镇·8001`, role township, so chair controls for townships apply);
 * anything else is a caller shown by number (role service, no township).
 */
import type { AuthClaims } from '../auth/tokens.ts';
import type { Store } from '../store/index.ts';

export interface PhoneIdentity {
  displayName: string;
  townshipId: string | null;
  /** A department's desk phone (role department in the room). */
  departmentId: string | null;
  /** True when the extension is a SIP phone terminal of the store. */
  known: boolean;
}

export async function phoneIdentity(
  store: Store,
  extension: string | null,
  fallbackNumber: string | null,
): Promise<PhoneIdentity> {
  const terminal = extension === null ? undefined : await store.terminals.findPhoneByExtension(extension);
  const township = terminal?.townshipId ? await store.townships.get(terminal.townshipId) : undefined;
  if (township && extension !== null) {
    return { displayName: `${township.name}·${extension}`, townshipId: township.id, departmentId: null, known: true };
  }
  const department = terminal?.departmentId ? await store.departments.get(terminal.departmentId) : undefined;
  if (department && extension !== null) {
    const name = department.shortName ?? department.name;
    return { displayName: `${name}·${extension}`, townshipId: null, departmentId: department.id, known: true };
  }
  return {
    displayName: `电话 ${extension ?? fallbackNumber ?? '未知号码'}`,
    townshipId: null,
    departmentId: null,
    known: false,
  };
}

/** How the room shows its link up (上联): the prefecture's or province's conference. */
export const UPSTREAM_DISPLAY_NAME = '上级会场';

/** Claims of one call's leg token (see sip:legToken). */
export async function legClaims(
  store: Store,
  call: { callId: string; extension: string | null; fromNumber: string | null; upstream?: boolean | undefined },
): Promise<AuthClaims> {
  if (call.upstream === true) {
    // The room's link up: the far conference as one participant, named as the room knows it.
    const userId = `upstream:${call.callId}`;
    return {
      userId,
      username: userId,
      displayName: UPSTREAM_DISPLAY_NAME,
      role: 'service',
      townshipId: null,
      device: 'phone',
      extension: null,
    };
  }
  const who = await phoneIdentity(store, call.extension, call.fromNumber);
  const userId = `phone:${call.extension ?? call.fromNumber ?? call.callId}`;
  return {
    userId,
    username: userId,
    displayName: who.displayName,
    role: who.departmentId ? 'department' : who.known ? 'township' : 'service',
    townshipId: who.townshipId,
    ...(who.departmentId ? { departmentId: who.departmentId } : {}),
    device: 'phone',
    extension: call.extension,
  };
}
