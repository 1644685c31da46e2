import type { NodeHeartbeat } from '@beacon/media-server';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryMediaNodeRegistry } from './MediaNodeRegistry.ts';

function beat(nodeId: string, region: string, load: Partial<NodeHeartbeat['load']> = {}, bootId = 'boot-1') {
  return {
    nodeId,
    bootId,
    region,
    address: '127.0.0.1',
    load: {
      workers: 2,
      workersAlive: 2,
      rooms: 0,
      peers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
      pipeTransports: 0,
      pipeConsumers: 0,
      pipeProducers: 0,
      cpuPercent: 0,
      ...load,
    },
    sentAt: 0,
  } satisfies NodeHeartbeat;
}

describe('InMemoryMediaNodeRegistry', () => {
  let now = 0;
  let registry: InMemoryMediaNodeRegistry;
  afterEach(() => registry.close());

  const create = () => {
    now = 1_000;
    registry = new InMemoryMediaNodeRegistry({ now: () => now, sweepIntervalMs: 60_000 });
    return registry;
  };

  it('places by region first, then by consumers per live worker', async () => {
    create();
    await registry.heartbeat(beat('city-1', 'city', { consumers: 300 }));
    await registry.heartbeat(beat('city-2', 'city', { consumers: 100 }));
    await registry.heartbeat(beat('county-1', 'county', { consumers: 0 }));
    expect((await registry.pick('city'))?.nodeId).toBe('city-2');
    expect((await registry.pick('county'))?.nodeId).toBe('county-1');
    // No node in the region: the least loaded anywhere.
    expect((await registry.pick('mountain'))?.nodeId).toBe('county-1');
    // Same consumers per worker: lower CPU wins.
    await registry.heartbeat(beat('city-1', 'city', { consumers: 100, cpuPercent: 5 }));
    await registry.heartbeat(beat('city-2', 'city', { consumers: 100, cpuPercent: 40 }));
    expect((await registry.pick('city'))?.nodeId).toBe('city-1');
  });

  it('never places on a node without a live worker', async () => {
    create();
    await registry.heartbeat(beat('city-1', 'city', { workersAlive: 0 }));
    await registry.heartbeat(beat('county-1', 'county', { consumers: 900 }));
    expect((await registry.pick('city'))?.nodeId).toBe('county-1');
  });

  it('declares a silent node dead after 6 s and a restarted node dead at once', async () => {
    create();
    const dead: { nodeId: string; reason: string }[] = [];
    registry.on('nodedead', (event) => dead.push(event));
    await registry.heartbeat(beat('city-1', 'city'));
    await registry.heartbeat(beat('county-1', 'county'));
    now += 5_000;
    await registry.heartbeat(beat('county-1', 'county'));
    registry.sweep();
    expect(dead).toEqual([]);
    now += 1_500;
    registry.sweep();
    expect(dead.map((d) => d.nodeId)).toEqual(['city-1']);
    expect((await registry.alive()).map((n) => n.nodeId)).toEqual(['county-1']);

    await registry.heartbeat(beat('county-1', 'county', {}, 'boot-2'));
    expect(dead.map((d) => [d.nodeId, d.reason])).toEqual([
      ['city-1', expect.stringContaining('no heartbeat')],
      ['county-1', 'restarted'],
    ]);
    expect((await registry.alive()).map((n) => n.bootId)).toEqual(['boot-2']);
  });
});
