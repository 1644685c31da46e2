import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TurnService } from './TurnService.ts';

describe('TurnService', () => {
  it('without coturn installed: start() resolves, the failure is turn_not_installed and no ICE servers are handed out', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'beacon-turn-svc-'));
    try {
      const turn = new TurnService({
        config: {
          dataDir,
          turn: {
            enabled: true,
            port: 3478,
            tlsPort: 5349,
            secret: null,
            ttlSeconds: 600,
            relayPorts: { min: 49160, max: 49999 },
          },
          media: { listenIp: '127.0.0.1' },
        },
        announcedAddress: '127.0.0.1',
        binary: '/nonexistent/turnserver',
      });
      await turn.start();
      expect(turn.available).toBe(false);
      expect(turn.failure?.code).toBe('turn_not_installed');
      expect(turn.iceServersFor('u-lucheng')).toBeUndefined();
      await turn.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
