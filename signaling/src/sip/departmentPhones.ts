/**
 * A department's desk phone to call (an alert, an overdue reminder): one of
 * its enabled SIP phones in the store that the gateway reports registered.
 * Townships' phones come from the gateway's report alone (it knows their
 * township); a department's are known only to the store.
 */
import type { Store } from '../store/index.ts';
import type { SipBridge } from './SipBridge.ts';

/** The extensions the gateway reports registered now. */
export function registeredExtensions(bridge: Pick<SipBridge, 'status'>): Set<string> {
  return new Set(
    bridge
      .status()
      .registrations.filter((r) => r.registered)
      .map((r) => r.extension),
  );
}

/** The first registered desk phone of the department, or null. */
export async function registeredDepartmentPhone(
  store: Pick<Store, 'terminals'>,
  registered: ReadonlySet<string>,
  departmentId: string,
): Promise<string | null> {
  const phone = (await store.terminals.listByDepartment(departmentId)).find(
    (t) => t.kind === 'sip_phone' && t.enabled && t.extension !== null && registered.has(t.extension),
  );
  return phone?.extension ?? null;
}
