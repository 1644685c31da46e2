/**
 * The passive end of RTP over TCP (RFC 4571 framing, RFC 4145 `a=setup:passive`) that GB/T 28181-2016
 * devices use where UDP is lossy or blocked: we listen, the device connects and sends each RTP packet
 * behind a 16-bit length. One connection at a time, from an allowed address only.
 */
import net from 'node:net';

export class TcpRtpReceiver {
  readonly #server: net.Server;
  #connection: net.Socket | null = null;

  constructor(
    private readonly allowed: (address: string) => boolean,
    private readonly onPacket: (packet: Buffer) => void,
  ) {
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  async listen(host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, host, () => resolve());
    });
    return (this.#server.address() as net.AddressInfo).port;
  }

  close(): void {
    this.#connection?.destroy();
    this.#server.close();
  }

  #accept(socket: net.Socket): void {
    if (this.#connection || !this.allowed(socket.remoteAddress?.replace(/^::ffff:/, '') ?? '')) {
      socket.destroy();
      return;
    }
    this.#connection = socket;
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2) {
        const length = buffer.readUInt16BE(0);
        if (buffer.length < 2 + length) break;
        if (length > 0) this.onPacket(buffer.subarray(2, 2 + length));
        buffer = buffer.subarray(2 + length);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.#connection === socket) this.#connection = null;
    });
  }
}
