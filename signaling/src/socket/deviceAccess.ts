/**
 * Which events a socket may send at all, by what its token says it is —
 * checked after the payload's schema and before meeting roles (permissions.ts):
 *  - a phone leg (claims `device: 'phone'`) is a participant that only joins,
 *    leaves, mutes itself, raises a hand and manages its plain-RTP mic;
 *  - `sip:*` is the gateway's own business: role `service`, not a leg;
 *  - `phone:media|video|view|state|count` only make sense on a leg socket.
 */

import type { ClientEventName } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { AuthClaims } from '../auth/tokens.ts';

const PHONE_LEG_EVENTS: ReadonlySet<ClientEventName> = new Set<ClientEventName>([
  'room:join',
  'room:leave',
  'room:resume',
  'phone:media',
  'phone:video',
  'phone:view',
  'phone:state',
  'phone:count',
  'producer:pause',
  'producer:resume',
  'producer:close',
  'speak:request',
  'speak:cancel',
]);

const LEG_ONLY_EVENTS: ReadonlySet<ClientEventName> = new Set<ClientEventName>([
  'phone:media',
  'phone:video',
  'phone:view',
  'phone:state',
  'phone:count',
]);

export function assertDeviceMayUse(claims: AuthClaims, event: ClientEventName): void {
  if (claims.device === 'phone') {
    if (!PHONE_LEG_EVENTS.has(event)) throw BeaconError.forbidden(`${event} is not for a phone call's socket`);
    return;
  }
  if (event.startsWith('sip:') && claims.role !== 'service') {
    throw BeaconError.forbidden(`${event} is for the SIP gateway only`);
  }
  if (LEG_ONLY_EVENTS.has(event)) throw BeaconError.forbidden(`${event} is for a phone call's socket only`);
}
