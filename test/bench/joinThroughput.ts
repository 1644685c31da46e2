/**
 * Signaling join throughput: N phone-leg participants (test/load) join rooms
 * of a Beacon node started as a child process, as fast as `maxInFlight`
 * concurrent joins allow. Prints joins/s and join latency p50/p95 (connect +
 * `room:join` ack) and the PCMU producer open (`phone:media`) p50/p95.
 *
 * Several nodes: cluster mode — a throwaway Redis and PostgreSQL shared by
 * `nodes` signaling processes; participants are spread over the nodes round
 * robin, so most joins of a room arrive at a node that does not own it and
 * are forwarded (ForwardedRooms). `shared` runs one node in the same setup,
 * so the comparison is the same store and Redis with 1 node vs 2. On this
 * 2-core machine more nodes add no CPU: the figure shows the cost of the
 * cluster path, not a capacity gain.
 *
 *   node --import tsx test/bench/joinThroughput.ts --participants 200 --rooms 10 --in-flight 20 [--nodes 2] [--shared]
 *
 * `--shared` with one node: that node on Redis + PostgreSQL instead of SQLite (the store's other backend).
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startPostgres } from '../../signaling/src/store/testing/postgresServer.ts';
import { LoadGenerator } from '../load/LoadGenerator.ts';
import { mintServiceToken } from '../load/legTokens.ts';
import { ensureLoadRooms } from '../load/loadRooms.ts';
import { type BeaconProcess, DEMO_PASSWORD, startBeaconProcess } from '../src/beaconProcess.ts';
import { startRedis } from '../src/redisServer.ts';

export interface JoinThroughputOptions {
  /** Signaling nodes sharing the rooms (cluster mode when > 1). */
  nodes: number;
  /** Cluster mode (Redis + PostgreSQL) even with one node. Default: nodes > 1. */
  shared?: boolean;
  participants: number;
  rooms: number;
  /** Joins in progress at once. */
  maxInFlight: number;
  /** Open a PCMU producer and send the tone after each join. */
  media: boolean;
}

export interface JoinThroughputResult {
  nodes: number;
  setup: string;
  media: boolean;
  joined: string;
  joinsPerSecond: number;
  joinP50Ms: number;
  joinP95Ms: number;
  mediaP50Ms: number;
  mediaP95Ms: number;
  failures: string;
}

interface Cluster {
  urls: string[];
  jwtSecret: string;
  /** Warning and error lines the nodes logged, for failures worth explaining. */
  problems(): string[];
  stop(): Promise<void>;
}

/** `count` Beacon nodes with one JWT secret (a token of one is valid on all, as behind a load balancer). */
async function startNodes(count: number, shared: boolean): Promise<Cluster> {
  const jwtSecret = randomBytes(32).toString('base64url');
  const redis = shared ? await startRedis() : null;
  const postgres = shared ? await startPostgres() : null;
  const env: Record<string, string> = { BEACON_JWT_SECRET: jwtSecret };
  if (redis && postgres) {
    env.REDIS_URL = redis.url;
    env.DATABASE_URL = await postgres.createDatabase('beacon');
  }
  const nodes: BeaconProcess[] = [];
  // One after the other: the first migrates and seeds the shared database.
  for (let i = 0; i < count; i++)
    nodes.push(await startBeaconProcess({ env: { ...env, BEACON_NODE_ID: `bench-${i}` } }));
  return {
    urls: nodes.map((node) => node.url),
    jwtSecret,
    problems: () =>
      nodes.flatMap((node) =>
        node
          .output()
          .split('\n')
          .filter((line) => line.trim() !== ''),
      ),
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
      await redis?.stop();
      await postgres?.stop();
    },
  };
}

export async function runJoinThroughput(opts: JoinThroughputOptions): Promise<JoinThroughputResult> {
  const shared = opts.shared ?? opts.nodes > 1;
  const cluster = await startNodes(opts.nodes, shared);
  try {
    const rooms = await ensureLoadRooms({ url: cluster.urls[0] as string, password: DEMO_PASSWORD, count: opts.rooms });
    const load = new LoadGenerator({
      urls: cluster.urls,
      serviceToken: await mintServiceToken(cluster.jwtSecret),
      rooms,
      perRoom: Math.ceil(opts.participants / opts.rooms),
      rampPerSecond: 0,
      maxInFlight: opts.maxInFlight,
      media: opts.media,
    });
    try {
      await load.start();
    } finally {
      await load.stop();
    }
    const s = load.stats.summary();
    if (s.joined < s.attempted || Object.keys(s.failures).length > 0) {
      const said = cluster
        .problems()
        .slice(-3)
        .map((line) => line.slice(0, 400));
      console.error(`failures ${JSON.stringify(s.failures)}; the node's last words:\n${said.join('\n')}`);
    }
    return {
      nodes: opts.nodes,
      setup: shared ? 'Redis + PostgreSQL' : 'embedded (SQLite)',
      media: opts.media,
      joined: `${s.joined}/${s.attempted}`,
      joinsPerSecond: s.joinsPerSecond,
      joinP50Ms: s.joinP50Ms,
      joinP95Ms: s.joinP95Ms,
      mediaP50Ms: s.mediaP50Ms,
      mediaP95Ms: s.mediaP95Ms,
      failures: JSON.stringify({ ...s.failures, ...s.disconnects }),
    };
  } finally {
    await cluster.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      participants: { type: 'string', default: '200' },
      rooms: { type: 'string', default: '10' },
      'in-flight': { type: 'string', default: '20' },
      nodes: { type: 'string', default: '1' },
      shared: { type: 'boolean', default: false },
    },
  });
  const rows: JoinThroughputResult[] = [];
  const nodes = Number(values.nodes);
  // With --nodes 2: the same load on 1 node and on 2 nodes of one cluster (same Redis + PostgreSQL setup).
  const setups =
    nodes > 1
      ? [
          { nodes: 1, shared: true },
          { nodes, shared: true },
        ]
      : [{ nodes: 1, shared: values.shared }];
  for (const setup of setups) {
    for (const media of [false, true]) {
      rows.push(
        await runJoinThroughput({
          ...setup,
          participants: Number(values.participants),
          rooms: Number(values.rooms),
          maxInFlight: Number(values['in-flight']),
          media,
        }),
      );
    }
  }
  console.table(rows);
}
