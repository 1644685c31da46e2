/**
 * The field side of the stations benchmark, in its own process so its CPU is not counted as Beacon's: one MQTT
 * connection per station (the `mqtt` package), each publishing one reading every `--every-ms`, the stations'
 * phases spread evenly over that period. A reading's `at` is when it was published: the bench measures the
 * delay until Beacon has evaluated it. Reads the stations (id, token) as JSON from `--stations`. With `--ca`
 * (Beacon's CA file) they connect over TLS (mqtts), as stations in the field do.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { connectAsync, type MqttClient } from 'mqtt';

const { values } = parseArgs({
  options: {
    stations: { type: 'string' },
    port: { type: 'string' },
    'every-ms': { type: 'string' },
    seconds: { type: 'string' },
    ca: { type: 'string' },
  },
});
const stations = JSON.parse(await readFile(values.stations as string, 'utf8')) as { id: string; token: string }[];
const port = Number(values.port);
const everyMs = Number(values['every-ms'] ?? 5000);
const seconds = Number(values.seconds ?? 60);
const ca = values.ca ? await readFile(values.ca, 'utf8') : null;
const url = `${ca ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`;

const clients: MqttClient[] = [];
const connectStart = performance.now();
// Connect in groups: 2,000 CONNECTs at once would measure the broker's accept queue, not ingest.
for (let i = 0; i < stations.length; i += 100) {
  clients.push(
    ...(await Promise.all(
      stations
        .slice(i, i + 100)
        .map((s) =>
          connectAsync(url, { username: s.id, password: s.token, reconnectPeriod: 0, ...(ca ? { ca } : {}) }),
        ),
    )),
  );
}
process.send?.({ connected: clients.length, connectMs: performance.now() - connectStart });

let published = 0;
const timers: NodeJS.Timeout[] = [];
const end = Date.now() + seconds * 1000;
stations.forEach((s, i) => {
  const client = clients[i] as MqttClient;
  const publish = () => {
    if (Date.now() > end) return;
    // 0–1 mm per 5 s: a heavy but plausible rain, so thresholds are crossed where they are set low.
    const reading = { at: Date.now(), value: Math.round(Math.random() * 100) / 100 };
    client.publish(`beacon/stations/${s.id}/readings`, JSON.stringify(reading), { qos: 0 });
    published++;
  };
  const start = setTimeout(
    () => {
      publish();
      timers.push(setInterval(publish, everyMs));
    },
    Math.floor((i / stations.length) * everyMs),
  );
  timers.push(start);
});

setTimeout(
  async () => {
    for (const t of timers) clearInterval(t);
    await Promise.all(clients.map((c) => c.endAsync()));
    process.send?.({ published });
    process.exit(0);
  },
  seconds * 1000 + 1000,
);
