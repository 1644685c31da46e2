/**
 * Signaling join throughput: N phone-leg participants (test/load) join rooms
 * of a Beacon node started as a child process, as fast as `maxInFlight`
 * concurrent joins allow. Prints joins/s and join latency p50/p95 (connect +
 * `room:join` ack) and the PCMU producer open (`phone:media`) p50/p95.
 *
 * Several nodes: `startNodes` is where they come from. Two nodes sharing
 * rooms need Redis mode (socket.io adapter, presence), which does not exist
 * yet; until it does, `nodes > 1` is refused rather than measuring two
 * unrelated nodes and calling it a cluster.
 *
 *   node --import tsx test/bench/joinThroughput.ts --participants 200 --rooms 10 --in-flight 20
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LoadGenerator } from '../load/LoadGenerator.ts';
import { mintServiceToken } from '../load/legTokens.ts';
import { ensureLoadRooms } from '../load/loadRooms.ts';
import { type BeaconProcess, DEMO_PASSWORD, startBeaconProcess } from '../src/beaconProcess.ts';

export interface JoinThroughputOptions {
  /** Signaling nodes sharing the rooms (only 1 until Redis mode exists). */
  nodes: number;
  participants: number;
  rooms: number;
  /** Joins in progress at once. */
  maxInFlight: number;
  /** Open a PCMU producer and send the tone after each join. */
  media: boolean;
}

export interface JoinThroughputResult {
  nodes: number;
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
async function startNodes(count: number): Promise<Cluster> {
  if (count !== 1) throw new Error(`${count} nodes need Redis mode (shared rooms across nodes), not built yet`);
  const jwtSecret = randomBytes(32).toString('base64url');
  const nodes: BeaconProcess[] = [await startBeaconProcess({ env: { BEACON_JWT_SECRET: jwtSecret } })];
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
    },
  };
}

export async function runJoinThroughput(opts: JoinThroughputOptions): Promise<JoinThroughputResult> {
  const cluster = await startNodes(opts.nodes);
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
    },
  });
  const rows: JoinThroughputResult[] = [];
  for (const media of [false, true]) {
    rows.push(
      await runJoinThroughput({
        nodes: Number(values.nodes),
        participants: Number(values.participants),
        rooms: Number(values.rooms),
        maxInFlight: Number(values['in-flight']),
        media,
      }),
    );
  }
  console.table(rows);
}
