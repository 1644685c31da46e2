/**
 * What the gateway is asked to ring: a desk phone audio only, a SIP video
 * terminal with video — from the chair's dial panel (dialRequestFor) and from
 * the one-click emergency meeting, which now rings a township's video terminal too.
 */
import type { DialRequest } from '@beacon/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { CommandBus } from '../command/CommandBus.ts';
import { EmergencyMeeting } from '../command/EmergencyMeeting.ts';
import { actor } from '../command/testing/actors.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { dialRequestFor } from './dialRequest.ts';
import { SipBridge } from './SipBridge.ts';

describeStoreBackends((env) => {
  let store: Store;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    await store.terminals.create({
      id: 'sv-lucheng',
      kind: 'sip_video',
      name: '鹿城镇会议室终端',
      townshipId: 'lucheng',
      departmentId: null,
      extension: '8101',
    });
  });

  describe('dial requests', () => {
    it('ask for video for a SIP video terminal only', async () => {
      expect(await dialRequestFor(store, 'r1', '8101')).toEqual({
        roomId: 'r1',
        extension: '8101',
        displayName: '鹿城镇·8101',
        townshipId: 'lucheng',
        video: true,
      });
      const phone = await dialRequestFor(store, 'r1', '8001');
      expect(phone).toMatchObject({ extension: '8001', townshipId: 'lucheng' });
      expect(phone.video).toBeUndefined();
      expect((await dialRequestFor(store, 'r1', '9999')).video).toBeUndefined();
    });

    it('of an emergency meeting ring the township’s desk phone and its video terminal, with video', async () => {
      const sip = new SipBridge({ store, realm: 'beacon' });
      sip.gatewayConnected('gw');
      sip.report('gw', { kamailio: 'running', reason: null, registrations: [], inCall: [] });
      const asked: DialRequest[] = [];
      sip.on('dial', ({ request }) => asked.push(request));
      const meetings = new EmergencyMeeting({ bus: new CommandBus(store), sip });
      const result = await meetings.start(actor('u-duty', 'duty_officer'), {
        title: '会商',
        townshipIds: ['lucheng'],
        incidentId: null,
        source: {},
      });
      expect(result.dialled).toEqual(['8001', '8101']);
      expect(asked.map((r) => [r.extension, r.video ?? false])).toEqual([
        ['8001', false],
        ['8101', true],
      ]);
    });
  });
});
