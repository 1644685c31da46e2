/**
 * The one request/ack client of the protocol: emit a client event, wait for
 * its ack with a timeout, check the ack's shape
 * (`{ ok: true, data } | { ok: false, error: { code, message } }`) and turn a
 * refusal into a coded `ClientError`. The console, the SIP gateway and the
 * tests all request through it.
 *
 * Zod-free on purpose (the console bundles this): the ack shape is checked by
 * hand below, and only types come from the schema modules.
 */
import { type Ack, ClientError, type ErrorBody, isErrorCode } from './errors.ts';
import type { ClientEventName, ClientEventResults, ClientPayload } from './events.ts';

/**
 * What a request needs of a socket: socket.io-client's `Socket` fits (so does
 * socket.io's server-side socket). `timeout(ms).emit(event, payload, cb)` calls
 * `cb(err)` when no ack came in time or the connection dropped, else
 * `cb(null, ack)`.
 */
export interface AckSocket {
  readonly connected: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: socket.io's emit typing cannot follow a generic event name.
  timeout(ms: number): { emit(event: any, ...args: any[]): unknown };
}

export interface RequestOptions {
  /** Reject when no ack came within this. Default 10_000. */
  timeoutMs?: number;
  /**
   * Reject at once with `disconnected` when the socket is not connected.
   * Default false: socket.io buffers the event and sends it on reconnect, so a
   * request made during a short drop still gets its answer (or times out).
   */
  failFast?: boolean;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Emits `event` and resolves with its ack, ok or not; rejects only when no valid ack came. */
export function requestAck<E extends ClientEventName>(
  socket: AckSocket,
  event: E,
  payload: ClientPayload<E>,
  options: RequestOptions = {},
): Promise<Ack<ClientEventResults[E]>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (options.failFast && !socket.connected) return Promise.reject(ClientError.disconnected(event));
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, response: unknown) => {
      if (err) {
        reject(socket.connected ? ClientError.timeout(event, timeoutMs) : ClientError.disconnected(event));
        return;
      }
      try {
        resolve(parseAck<ClientEventResults[E]>(event, response));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Emits `event` and resolves with the ack's data; rejects with a ClientError carrying the server's code. */
export async function request<E extends ClientEventName>(
  socket: AckSocket,
  event: E,
  payload: ClientPayload<E>,
  options: RequestOptions = {},
): Promise<ClientEventResults[E]> {
  const ack = await requestAck(socket, event, payload, options);
  if (!ack.ok) throw new ClientError(ack.error.code, `${event} refused (${ack.error.code}): ${ack.error.message}`);
  return ack.data;
}

/** Checks that an answer has the ack shape; the data itself is trusted (the server validated its side). */
export function parseAck<T>(event: string, response: unknown): Ack<T> {
  if (typeof response === 'object' && response !== null && 'ok' in response) {
    if (response.ok === true && 'data' in response) return { ok: true, data: response.data as T };
    if (response.ok === false && 'error' in response) {
      const error = errorBody(response.error);
      if (error) return { ok: false, error };
    }
  }
  throw new ClientError('internal', `${event}: the answer is not an ack (${JSON.stringify(response)?.slice(0, 200)})`);
}

function errorBody(value: unknown): ErrorBody | null {
  if (typeof value !== 'object' || value === null) return null;
  const { code, message } = value as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return null;
  // A code this client does not know (a newer server) still fails the request, as `internal`.
  return { code: isErrorCode(code) ? code : 'internal', message };
}
