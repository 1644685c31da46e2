import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/StoreTypes.ts';
import { auditPipeRefusal } from './pipeRefusalAudit.ts';

let store: Store;

beforeEach(async () => {
  store = await openStore({ file: ':memory:' });
});

afterEach(async () => {
  await store.close();
});

it('writes a refused pipe endpoint to the audit, naming both nodes, the endpoint and the registered addresses', async () => {
  await auditPipeRefusal(store.audit)({
    roomId: 'city-weekly',
    nodeId: 'county-1',
    peerNodeId: 'city-1',
    ip: '203.0.113.9',
    port: 41_020,
    registered: ['10.20.0.21'],
  });
  const [row] = await store.audit.list({ limit: 1 });
  expect(row).toMatchObject({
    actorId: 'system',
    role: 'service',
    action: 'media.pipe_refused',
    target: 'city-weekly',
    detail: {
      reason: 'endpoint_not_registered',
      nodeId: 'county-1',
      peerNodeId: 'city-1',
      ip: '203.0.113.9',
      port: 41_020,
      registered: ['10.20.0.21'],
    },
  });
});
