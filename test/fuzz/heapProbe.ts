/**
 * Beacon's heap after a full garbage collection, through the V8 inspector
 * (Beacon runs with --inspect=127.0.0.1:0 during the fuzz): the heap in use
 * right after a round says little (garbage not yet collected); after a forced
 * collection it is what is really kept, and growth from round to round is a leak.
 */
import WebSocket from 'ws';
import { rssBytes } from '../soak/processSampler.ts';

const MB = 1024 * 1024;

export interface HeapSample {
  rssMb: number;
  heapUsedMb: number;
}

export class HeapProbe {
  readonly #ws: WebSocket;
  readonly #pid: number;
  #nextId = 1;

  private constructor(ws: WebSocket, pid: number) {
    this.#ws = ws;
    this.#pid = pid;
  }

  /** Finds the inspector's address in what Beacon printed ("Debugger listening on ws://…"). */
  static async connect(output: string, pid: number): Promise<HeapProbe> {
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
    if (!url) throw new Error('Beacon has no inspector (start it with --inspect=127.0.0.1:0)');
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new HeapProbe(ws, pid);
  }

  async #call(method: string, params: object = {}): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(data.toString()) as {
          id?: number;
          result?: Record<string, unknown>;
          error?: unknown;
        };
        if (message.id !== id) return;
        this.#ws.off('message', onMessage);
        if (message.error) reject(new Error(JSON.stringify(message.error)));
        else resolve(message.result ?? {});
      };
      this.#ws.on('message', onMessage);
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Collects garbage (twice: weak references freed by the first are swept by the second), then measures. */
  async sample(): Promise<HeapSample> {
    await this.#call('HeapProfiler.collectGarbage');
    await this.#call('HeapProfiler.collectGarbage');
    const usage = (await this.#call('Runtime.getHeapUsage')) as { usedSize: number };
    return { rssMb: round1((await rssBytes(this.#pid)) / MB), heapUsedMb: round1(usage.usedSize / MB) };
  }

  close(): void {
    this.#ws.close();
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
