/**
 * Who is texted when a warning reaches a township or a department:
 *
 * - the contact (联系人) of each enabled village of a warned township — when
 *   the village has coordinates, only if they lie in the warning's area (a
 *   township the area touches at one corner does not text its far villages);
 *   without coordinates, every village of the township;
 * - the unit's own staff: the enabled accounts of the township (role
 *   `township`: the township's leaders and duty staff) or of the department
 *   (role `department`) that have a mobile number.
 *
 * One text per number per warning: a number met twice (a village head who is
 * also a township account, a contact of two villages) keeps its first role,
 * villages first (their line on the board is the village).
 */
import { randomUUID } from 'node:crypto';
import type { WarningView } from '@beacon/protocol';
import { areaPredicate } from '../command/geo/affectedTownships.ts';
import type { Store } from '../store/index.ts';
import type { NewSmsRecipient } from '../store/smsTypes.ts';
import { normaliseMobile } from './smsText.ts';

export async function smsRecipientsFor(
  store: Store,
  warning: Pick<WarningView, 'area'>,
  units: { townshipIds: readonly string[]; departmentIds: readonly string[] },
): Promise<NewSmsRecipient[]> {
  // An issued warning always has its area (an imported one without is completed before issuing).
  const inArea = warning.area ? areaPredicate(warning.area) : () => true;
  const out: NewSmsRecipient[] = [];
  const seen = new Set<string>();
  const add = (mobile: string | null, recipient: Omit<NewSmsRecipient, 'id' | 'mobile'>) => {
    if (!mobile || seen.has(mobile)) return;
    seen.add(mobile);
    out.push({ id: randomUUID(), mobile, ...recipient });
  };
  const users = units.townshipIds.length + units.departmentIds.length > 0 ? await store.users.list() : [];
  for (const townshipId of units.townshipIds) {
    for (const village of await store.villages.listByTownship(townshipId)) {
      if (!village.enabled) continue;
      if (village.lat !== null && village.lon !== null && !inArea([village.lat, village.lon])) continue;
      add(normaliseMobile(village.contactMobile), {
        townshipId,
        departmentId: null,
        villageId: village.id,
        userId: null,
        role: 'village',
        name: `${village.name}·${village.contactName ?? '联系人'}`,
      });
    }
  }
  for (const user of users) {
    if (!user.enabled) continue;
    const township =
      user.role === 'township' && user.townshipId !== null && units.townshipIds.includes(user.townshipId);
    const department =
      user.role === 'department' && user.departmentId !== null && units.departmentIds.includes(user.departmentId);
    if (!township && !department) continue;
    add(normaliseMobile(user.phone), {
      townshipId: township ? user.townshipId : null,
      departmentId: township ? null : user.departmentId,
      villageId: null,
      userId: user.id,
      role: 'staff',
      name: user.displayName,
    });
  }
  return out;
}
