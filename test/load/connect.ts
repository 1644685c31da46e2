/**
 * A socket.io connection as the SIP gateway opens one (websocket transport,
 * token in `auth`), typed by the shared protocol. Load clients never
 * reconnect by themselves: a dropped connection is a figure of the run, not
 * something to paper over.
 */
import type { ClientToServerEvents, ServerToClientEvents } from '@beacon/protocol';
import { ClientError } from '@beacon/protocol';
import { io, type Socket } from 'socket.io-client';

export type LoadSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Resolves once connected; rejects with the server's refusal code (`unauthorized`, …) or `timeout`. */
export async function connectSocket(url: string, token: string, timeoutMs: number): Promise<LoadSocket> {
  const socket: LoadSocket = io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err: Error & { data?: { code?: string } }) => {
        const code = err.data?.code ?? (err.message === 'timeout' ? 'timeout' : 'connect_error');
        reject(new ClientError(code as ClientError['code'], `connect: ${err.message}`));
      });
    });
  } catch (err) {
    socket.close();
    throw err;
  }
  return socket;
}

/** The error code to count a failure under: a signaling code, `timeout`, or `error`. */
export function failureCode(err: unknown): string {
  return err instanceof ClientError ? err.code : 'error';
}
