/**
 * /readyz follows the media node: a node given an external media server
 * reports not ready once that server is gone, and does not close it itself.
 */
import { rm } from 'node:fs/promises';
import { MediaServer } from '@beacon/media-server';
import { startBeacon } from '@beacon/signaling';
import { expect, it } from 'vitest';
import { makeDataDir, testConfig } from './helpers.ts';

it('answers 503 naming media when the media node is down', async () => {
  const dataDir = await makeDataDir();
  const config = await testConfig(dataDir);
  const media = await MediaServer.create({ ...config.media, numWorkers: 1 });
  const node = await startBeacon({ config, media });
  try {
    expect(node.media).toBe(media);
    expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
    await media.close();
    const res = await fetch(`${node.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not_ready', media: false, store: true });
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
  } finally {
    await node.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
