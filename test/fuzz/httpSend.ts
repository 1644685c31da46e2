/**
 * One raw HTTP request with a time bound. node:http sends the path exactly as
 * given (fetch's URL parser would resolve ../ and %2e%2e before sending, so
 * the path tricks would never reach the server).
 */
import { request } from 'node:http';

const KEPT_BYTES = 4_096;

export type HttpOutcome = { status: number; body: string; ms: number } | { error: string; ms: number };

export function httpSend(
  baseUrl: string,
  req: { method: string; path: string; headers: Record<string, string>; body: Buffer | null },
  timeoutMs: number,
): Promise<HttpOutcome> {
  const url = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (outcome: { status: number; body: string } | { error: string }) =>
      resolve({ ...outcome, ms: Math.round(performance.now() - started) });
    let sent: ReturnType<typeof request>;
    try {
      sent = request(
        { host: url.hostname, port: url.port, method: req.method, path: req.path, headers: req.headers, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            // Only the start is kept (for the findings): a big answer is not buffered whole.
            if (size < KEPT_BYTES) chunks.push(chunk.subarray(0, KEPT_BYTES - size));
            size += chunk.length;
          });
          res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => done({ error: `response: ${err.message}` }));
        },
      );
    } catch (err) {
      done({ error: `not sendable: ${(err as Error).message}` });
      return;
    }
    sent.setTimeout(timeoutMs, () => sent.destroy(new Error('timeout')));
    sent.on('error', (err) => done({ error: err.message === 'timeout' ? 'timeout' : `request: ${err.message}` }));
    sent.end(req.body ?? undefined);
  });
}
