/**
 * Socket.io requests to signaling, typed by the shared protocol: every event
 * is answered `{ ok, data } | { ok: false, error: { code, message } }`.
 */
import type {
  ClientEventName,
  ClientEventResults,
  ClientPayload,
  ClientToServerEvents,
  ErrorCode,
  ServerToClientEvents,
} from '@beacon/signaling/protocol';
import type { Socket } from 'socket.io-client';

export type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A refusal from signaling (its code) or a timeout / lost connection. */
export class SignalingRequestError extends Error {
  override readonly name = 'SignalingRequestError';
  constructor(
    readonly code: ErrorCode | 'timeout',
    message: string,
  ) {
    super(message);
  }
}

export async function request<E extends ClientEventName>(
  socket: SignalingSocket,
  event: E,
  payload: ClientPayload<E>,
  timeoutMs = 10_000,
): Promise<ClientEventResults[E]> {
  let reply: unknown;
  try {
    // biome-ignore lint/suspicious/noExplicitAny: socket.io's emit typing cannot follow a generic event name.
    reply = await (socket.timeout(timeoutMs) as any).emitWithAck(event, payload);
  } catch {
    throw new SignalingRequestError('timeout', `${event}: no answer from signaling within ${timeoutMs} ms`);
  }
  const ack = reply as
    | { ok: true; data: ClientEventResults[E] }
    | { ok: false; error: { code: ErrorCode; message: string } };
  if (!ack.ok) throw new SignalingRequestError(ack.error.code, `${event}: ${ack.error.message}`);
  return ack.data;
}
