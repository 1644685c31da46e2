/**
 * The socket.io fuzz: payloads generated from the protocol's zod schemas
 * (every client event), bent by mutations.ts, sent by several signed-in
 * roles at once with a bounded number of acks outstanding each.
 */
import { type ClientEventName, clientEventSchemas } from '@beacon/protocol';
import { z } from 'zod';
import { FuzzClient } from './FuzzClient.ts';
import type { IdPool } from './idPool.ts';
import { MUTATIONS, mutate } from './mutations.ts';
import type { Random } from './random.ts';
import { type JsonSchema, validValue } from './schemaValues.ts';
import { SocketFigures } from './socketFigures.ts';

export interface SocketFuzzOptions {
  url: string;
  /** One socket per entry: a label (the role) and its token. */
  clients: { label: string; token: string }[];
  payloads: number;
  /** Acks outstanding per socket. */
  window: number;
  ackTimeoutMs: number;
  hugeStringBytes: number;
  random: Random;
  ids: IdPool;
  /** Called every `progressEvery` payloads. */
  onProgress?: (sent: number) => void;
}

const EVENT_SCHEMAS = Object.entries(clientEventSchemas).map(([event, schema]) => ({
  event: event as ClientEventName,
  zod: schema as z.ZodType,
  json: z.toJSONSchema(schema as z.ZodType, { unrepresentable: 'any', io: 'input' }) as JsonSchema,
}));

export const CLIENT_EVENTS: readonly string[] = EVENT_SCHEMAS.map((e) => e.event);

export async function socketFuzz(options: SocketFuzzOptions): Promise<SocketFigures> {
  const figures = new SocketFigures();
  const clients = options.clients.map(
    ({ label, token }) =>
      new FuzzClient({
        url: options.url,
        label,
        token,
        ackTimeoutMs: options.ackTimeoutMs,
        roomId: label === 'service' ? null : 'city-weekly',
        ids: options.ids,
        figures,
      }),
  );
  await Promise.all(clients.map((client) => client.connect()));
  let generated = 0;
  const next = () => {
    const { random, ids } = options;
    const spec = random.pick(EVENT_SCHEMAS);
    const valid = validValue(spec.json, { random, ids, root: spec.json });
    return mutate(random, spec.event, valid, random.weighted(MUTATIONS), { hugeStringBytes: options.hugeStringBytes });
  };
  const worker = async (client: FuzzClient) => {
    while (generated < options.payloads) {
      generated++;
      if (options.onProgress && generated % 10_000 === 0) options.onProgress(generated);
      await client.send(next()).catch((err: unknown) => {
        figures.count(figures.disconnects, `${client.label}: reconnect failed: ${String(err)}`);
      });
    }
  };
  try {
    await Promise.all(clients.flatMap((client) => Array.from({ length: options.window }, () => worker(client))));
  } finally {
    for (const client of clients) client.close();
  }
  return figures;
}
