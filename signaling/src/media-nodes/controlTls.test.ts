import { describe, expect, it } from 'vitest';
import { CascadedMediaControl } from './CascadedMediaControl.ts';
import { controlUrlRefusal } from './controlTls.ts';
import { InMemoryMediaNodeRegistry } from './MediaNodeRegistry.ts';

describe('media node control URLs', () => {
  it('allows https anywhere and plain http on loopback only', () => {
    expect(controlUrlRefusal('https://10.20.0.5:4480')).toBeNull();
    expect(controlUrlRefusal('http://127.0.0.1:4480')).toBeNull();
    expect(controlUrlRefusal('http://[::1]:4480')).toBeNull();
    expect(controlUrlRefusal('http://localhost:4480')).toBeNull();
    expect(controlUrlRefusal('http://10.20.0.5:4480')).toMatch(/plain HTTP/);
    expect(controlUrlRefusal('http://media-1.cx.gov:4480')).toMatch(/plain HTTP/);
  });

  it('refuses to start a cascade with a plain-HTTP node off this machine, with a code', async () => {
    const registry = new InMemoryMediaNodeRegistry();
    try {
      await expect(
        CascadedMediaControl.create({ nodeUrls: ['http://192.0.2.7:4480'], key: 'k'.repeat(32), registry }),
      ).rejects.toMatchObject({ name: 'MediaNodeTlsError', code: 'media_node_tls_required' });
    } finally {
      registry.close();
    }
  });
});
