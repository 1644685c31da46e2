/**
 * A UDP peer on loopback for tests and the bench: sends datagrams and
 * collects what arrives, so tests can await real packets instead of timing.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';

export class UdpPeer {
  readonly received: Buffer[] = [];
  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg) => this.received.push(msg));
  }

  /** `ip`: any loopback address (127.0.0.2 plays a stranger on another host). Default 127.0.0.1. */
  static async open(ip = '127.0.0.1'): Promise<UdpPeer> {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, ip);
    await once(socket, 'listening');
    return new UdpPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(datagram: Buffer, port: number): void {
    this.socket.send(datagram, port, '127.0.0.1');
  }

  /** Resolves once `count` datagrams have arrived in total; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5000): Promise<Buffer[]> {
    await waitUntil(() => this.received.length >= count, timeoutMs, `${count} datagrams on port ${this.port}`);
    return this.received;
  }

  close(): void {
    this.socket.close();
  }
}

/** Polls `condition` every 5 ms until it holds; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}
