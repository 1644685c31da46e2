/**
 * The demo city as tests need it: seeded into the data dir (or database)
 * before Beacon starts, with the demo password counted as chosen, so a test
 * signs in as any demo account with DEMO_PASSWORD and goes straight on.
 *
 * A deployment cannot do this: the option is the seeding function's, and no
 * setting reaches it. Beacon seeding by itself makes every demo account
 * change the published password at first sign-in (test/integration/
 * first-start.test.ts starts it that way).
 */
import { join } from 'node:path';
import { openStore } from '../../signaling/src/store/index.ts';

export interface DemoSeedTarget {
  dataDir: string;
  /** Beacon's environment: DATABASE_URL, BEACON_DEMO_PASSWORD and BEACON_SIP_REALM are read. */
  env: Record<string, string | undefined>;
  /** The demo accounts' password. */
  password: string;
}

/** Does nothing on a store that already has users (a restart on the same data dir). */
export async function seedDemoForTests({ dataDir, env, password }: DemoSeedTarget): Promise<void> {
  const store = await openStore({
    file: join(dataDir, 'beacon.sqlite'),
    databaseUrl: env.DATABASE_URL || null,
    seed: {
      demoPassword: env.BEACON_DEMO_PASSWORD || password,
      sipRealm: env.BEACON_SIP_REALM || 'beacon',
      demoPasswordChosen: true,
    },
  });
  await store.close();
}
