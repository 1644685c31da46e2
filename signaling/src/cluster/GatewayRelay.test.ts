import { describe, expect, it } from 'vitest';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { ClusterNode } from './ClusterNode.ts';
import { GatewayRelay, isRelayMessage } from './GatewayRelay.ts';
import type { RoomOwnership } from './RoomOwnership.ts';

/** The relay's own check of what another node sent (the seal was checked before, by ClusterRpc). */
function relayWith(served: unknown[]): GatewayRelay {
  const sip = {
    serveRelay: async (from: string, message: unknown) => {
      served.push({ from, message });
      return { accepted: true };
    },
  } as unknown as SipBridge;
  return new GatewayRelay({
    node: { nodeId: 'node-a' } as ClusterNode,
    ownership: {} as RoomOwnership,
    sip,
  });
}

describe('GatewayRelay.serve', () => {
  it('passes a well-formed message to the bridge with the sending node', async () => {
    const served: unknown[] = [];
    const message = { kind: 'gateway:upstreamIn', requestId: 'r1', roomId: 'city-weekly', source: '10.53.0.8' };
    expect(await relayWith(served).serve(message, 'node-b')).toEqual({ accepted: true });
    expect(served).toEqual([{ from: 'node-b', message }]);
  });

  it('refuses a malformed one with bad_request and passes nothing on', async () => {
    const served: unknown[] = [];
    const relay = relayWith(served);
    const bad = [
      {
        kind: 'gateway:upstream',
        request: { requestId: 'r', roomId: 'x', uri: 'sip:6001@h;transport=tcp', pin: null },
      },
      { kind: 'gateway:upstreamControl', control: { requestId: 'r', action: 'transfer' } },
      { kind: 'gateway:callState', requestId: 'r', state: 'exploded', reason: null },
      { kind: 'gateway:nothing' },
    ];
    for (const body of bad) {
      await expect(relay.serve(body, 'node-b')).rejects.toMatchObject({ code: 'bad_request' });
    }
    expect(served).toEqual([]);
  });

  it('tells its kinds from the room events sharing the channel', () => {
    expect(isRelayMessage({ kind: 'gateway:dial' })).toBe(true);
    expect(isRelayMessage({ kind: 'event' })).toBe(false);
    expect(isRelayMessage(null)).toBe(false);
  });
});
