/**
 * A throwaway Kamailio for tests (this package's and the cross-service ones):
 * loopback only, free ports, its own work directory and subscriber file.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeSipPort } from '@beacon/common/test-ports';
import { KamailioProcess, type KamailioProcessOptions } from './KamailioProcess.ts';
import { type Subscriber, SubscriberDb } from './SubscriberDb.ts';

export interface TestKamailio {
  kamailio: KamailioProcess;
  db: SubscriberDb;
  workDir: string;
  /** `127.0.0.1:<port>` phones (SIPp) send to. */
  sipTarget: string;
  wsUrl: string;
  realm: string;
  /** The `gateway` user's password, drawn for this Kamailio like the gateway does at start. */
  gatewayPassword: string;
  close(): Promise<void>;
}

/** Kamailio listens on UDP and TCP: a port free on both, outside the kernel's ephemeral range. */
export { freeSipPort } from '@beacon/common/test-ports';

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startTestKamailio(
  subscribers: Subscriber[],
  options: Partial<KamailioProcessOptions> = {},
): Promise<TestKamailio> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'beacon-kamailio-'));
  const realm = options.realm ?? 'beacon';
  const dbFile = path.join(workDir, 'subscribers.sqlite');
  const db = new SubscriberDb(dbFile, realm);
  const gatewayPassword = randomBytes(24).toString('base64url');
  db.setServiceUser('gateway', gatewayPassword);
  db.replaceAll(subscribers);
  const sipPort = await freeSipPort();
  const wsPort = await freeTcpPort();
  const kamailio = new KamailioProcess({
    workDir,
    dbFile,
    realm,
    udpListen: `127.0.0.1:${sipPort}`,
    wsListen: `127.0.0.1:${wsPort}`,
    ...options,
  });
  try {
    await kamailio.start();
  } catch (error) {
    db.close();
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  return {
    kamailio,
    db,
    workDir,
    sipTarget: `127.0.0.1:${sipPort}`,
    wsUrl: kamailio.wsUrl,
    realm,
    gatewayPassword,
    async close() {
      await kamailio.stop();
      db.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
