/**
 * Load from the command line against running Beacon nodes:
 *
 *   node --import tsx test/load/cli.ts --url http://127.0.0.1:3000 --rooms 10 --per-room 20 \
 *     --ramp 20 --seconds 60 --data-dir ./data
 *
 * Options (defaults in brackets):
 *   --url URL          signaling node; repeat (or comma-separate) to spread participants   (required)
 *   --rooms N          use N rooms `load-1…N`, created through REST when missing            [10]
 *   --room-ids a,b     use these existing rooms instead of --rooms
 *   --per-room N       participants per room                                                [20]
 *   --ramp R           joins started per second (0 = as fast as --in-flight allows)         [20]
 *   --in-flight N      joins in progress at once, at most                                   [50]
 *   --seconds S        hold everyone in the room this long with media, then leave           [30]
 *   --no-media         join signaling only (no producer, no RTP)
 * Credentials, first that is given:
 *   --service-token T / env BEACON_SERVICE_TOKEN     a `service` token of the nodes
 *   --jwt-secret S   / env BEACON_JWT_SECRET         the nodes' secret: a service token is minted
 *   --data-dir D     / env BEACON_DATA_DIR           reads D/jwt-secret (a node on this machine)
 *   --username U --password P / env BEACON_DEMO_PASSWORD   room creator for --rooms   [admin, beacon2026]
 *
 * Ctrl-C stops early; everyone still leaves. Prints the summary as JSON on stdout.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LoadGenerator } from './LoadGenerator.ts';
import { mintServiceToken } from './legTokens.ts';
import { ensureLoadRooms } from './loadRooms.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', multiple: true },
    rooms: { type: 'string', default: '10' },
    'room-ids': { type: 'string' },
    'per-room': { type: 'string', default: '20' },
    ramp: { type: 'string', default: '20' },
    'in-flight': { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    'no-media': { type: 'boolean', default: false },
    'service-token': { type: 'string' },
    'jwt-secret': { type: 'string' },
    'data-dir': { type: 'string' },
    username: { type: 'string', default: 'admin' },
    password: { type: 'string' },
  },
});

async function serviceToken(): Promise<string> {
  const given = values['service-token'] ?? process.env.BEACON_SERVICE_TOKEN;
  if (given) return given;
  const secret = values['jwt-secret'] ?? process.env.BEACON_JWT_SECRET;
  if (secret) return mintServiceToken(secret);
  const dataDir = values['data-dir'] ?? process.env.BEACON_DATA_DIR;
  if (dataDir) return mintServiceToken((await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim());
  throw new Error('no credentials: pass --service-token, --jwt-secret or --data-dir (see the header of cli.ts)');
}

async function main(): Promise<void> {
  const urls = (values.url ?? []).flatMap((u) => u.split(',')).filter(Boolean);
  if (urls.length === 0) throw new Error('--url is required');
  const rooms = values['room-ids']
    ? values['room-ids'].split(',')
    : await ensureLoadRooms({
        url: urls[0] as string,
        username: values.username,
        password: values.password ?? process.env.BEACON_DEMO_PASSWORD ?? 'beacon2026',
        count: Number(values.rooms),
      });
  const load = new LoadGenerator({
    urls,
    serviceToken: await serviceToken(),
    rooms,
    perRoom: Number(values['per-room']),
    rampPerSecond: Number(values.ramp),
    maxInFlight: Number(values['in-flight']),
    media: !values['no-media'],
  });
  let interrupted = false;
  let wake: () => void = () => undefined;
  process.once('SIGINT', () => {
    interrupted = true;
    wake();
  });
  console.error(`starting ${load.size} participants over ${urls.length} node(s), ${rooms.length} room(s)`);
  await load.start();
  const joined = load.stats.summary();
  console.error(
    `${joined.joined}/${joined.attempted} joined (${joined.joinsPerSecond}/s); holding ${values.seconds} s`,
  );
  if (!interrupted) {
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, Number(values.seconds) * 1000);
    });
  }
  await load.stop();
  console.log(JSON.stringify(load.stats.summary(), null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
