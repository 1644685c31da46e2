/**
 * SIP over TCP for the platform (RFC 3261 §18): devices connect, each
 * connection is framed by Content-Length (SipStreamFramer) and kept, keyed by
 * its far end's `ip:port`, so that answers and our later requests to that
 * device go over the very connection it opened (a device behind NAT or a
 * firewall cannot be connected to; RFC 3261 §18.2.2 has the client keep it).
 * A stream that cannot be framed is logged with its code and its connection
 * closed; nothing else on the platform notices.
 */
import net from 'node:net';
import { createLogger } from '../logger.ts';
import { GbError } from './GbError.ts';
import type { SipMessage } from './sipMessage.ts';
import { SipStreamFramer } from './sipStream.ts';

const logger = createLogger('gb28181');

export interface TcpPeer {
  ip: string;
  port: number;
  transport: 'tcp';
}

export class SipTcpTransport {
  readonly #server: net.Server;
  readonly #connections = new Map<string, net.Socket>();

  constructor(
    private readonly onMessage: (message: SipMessage, from: TcpPeer) => void,
    private readonly limits: {
      /** Most connections at once; a further one is closed on arrival. Default 4096. */
      maxConnections?: number;
      /**
       * A connection silent this long is closed; default 5 min. A registered device sends keepalives, so
       * only a dead device or a connection that never meant to speak SIP stays silent — and holds a slot.
       */
      idleMs?: number;
    } = {},
  ) {
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#server.on('error', (err) => logger.warn({ err }, 'SIP TCP listener error'));
  }

  /** Open connections from devices. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Writes to the connection `to` names; a closed one is `device_offline` (the device reconnects and registers). */
  send(bytes: Buffer, to: { ip: string; port: number }): void {
    const connection = this.#connections.get(`${to.ip}:${to.port}`);
    if (!connection || connection.destroyed) {
      throw new GbError('device_offline', `the TCP connection from ${to.ip}:${to.port} is closed`);
    }
    connection.write(bytes);
  }

  close(): void {
    this.#server.close();
    for (const connection of this.#connections.values()) connection.destroy();
    this.#connections.clear();
  }

  #accept(socket: net.Socket): void {
    const from: TcpPeer = {
      ip: (socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      port: socket.remotePort ?? 0,
      transport: 'tcp',
    };
    const key = `${from.ip}:${from.port}`;
    if (this.#connections.size >= (this.limits.maxConnections ?? 4096)) {
      logger.warn({ from: key, open: this.#connections.size }, 'SIP TCP connection refused: too many open');
      socket.destroy();
      return;
    }
    this.#connections.set(key, socket);
    socket.setNoDelay(true);
    // Finds a device that vanished without a FIN (power cut) so its socket does not stay open for ever.
    socket.setKeepAlive(true, 60_000);
    socket.setTimeout(this.limits.idleMs ?? 300_000, () => {
      logger.info({ from: key }, 'SIP TCP connection idle, closed');
      socket.destroy();
    });
    const framer = new SipStreamFramer();
    socket.on('data', (chunk: Buffer) => {
      let messages: SipMessage[];
      try {
        messages = framer.push(chunk);
      } catch (err) {
        const code = err instanceof GbError ? err.code : 'sip_framing';
        logger.warn({ code, reason: (err as Error).message, from: key }, 'SIP stream refused, connection closed');
        socket.destroy();
        return;
      }
      for (const message of messages) this.onMessage(message, from);
    });
    socket.on('error', (err) => logger.debug({ err, from: key }, 'SIP TCP connection error'));
    socket.on('close', () => {
      if (this.#connections.get(key) === socket) this.#connections.delete(key);
    });
  }
}
