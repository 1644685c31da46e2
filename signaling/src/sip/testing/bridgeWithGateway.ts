/**
 * Test fixture: a SipBridge over a store, with one gateway connected that
 * reports the given extensions registered with Kamailio, and the alert calls
 * the bridge is asked to place collected in order. The desks that call
 * phones (alerts, notices, overdue items, loudspeakers) all start from here.
 */
import type { AlertCallRequest } from '@beacon/protocol';
import type { Store } from '../../store/index.ts';
import { SipBridge } from '../SipBridge.ts';

/** An extension, or an extension with the contact Kamailio reports for it. */
export type Registration = string | { extension: string; contact: string };

export interface BridgeWithGateway {
  bridge: SipBridge;
  /** The alert calls asked of the gateway so far. */
  calls: AlertCallRequest[];
  /** The gateway's next report: these extensions (only) are registered. */
  registered(...registrations: Registration[]): void;
}

export async function bridgeWithGateway(store: Store, registrations: Registration[] = []): Promise<BridgeWithGateway> {
  const bridge = new SipBridge({ store, realm: 'beacon' });
  await bridge.loadPhones();
  bridge.gatewayConnected('gw');
  const registered = (...list: Registration[]) =>
    bridge.report('gw', {
      kamailio: 'running',
      reason: null,
      registrations: list.map((r) =>
        typeof r === 'string'
          ? { extension: r, contact: null, expiresAt: null }
          : { extension: r.extension, contact: r.contact, expiresAt: null },
      ),
      inCall: [],
    });
  registered(...registrations);
  const calls: AlertCallRequest[] = [];
  bridge.on('alertcall', ({ request }) => calls.push(request));
  return { bridge, calls, registered };
}

/** 水务局's desk phone (extension 8101), a department's phone several desks' tests call. */
export function createWaterBureauPhone(store: Store): Promise<unknown> {
  return store.terminals.create({
    id: 'ph-sw',
    name: '水务局值班电话',
    kind: 'sip_phone',
    townshipId: null,
    departmentId: 'dp-sw',
    extension: '8101',
  });
}
