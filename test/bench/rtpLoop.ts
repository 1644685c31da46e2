/**
 * The same RTP input for every SFU a benchmark compares: a few seconds of an
 * RTP sender (ffmpeg) are recorded once, then played in a loop, in real time
 * by RTP timestamp, to whichever SFU is being measured.
 *
 * Why not ffmpeg live: on shared cores a live 720p VP8 encoder falls behind
 * when the machine is busy (input rates from 33 to 156 packets/s were seen
 * between two windows of one run), and its own CPU competes with the SFU
 * being measured. A recording gives byte-identical input at a steady rate.
 *
 * Each pass continues the stream: sequence numbers, RTP timestamps and the
 * VP8 picture ID are shifted by one loop's worth, so an SFU sees one long
 * stream rather than a jump back every few seconds.
 */
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';

const VIDEO_CLOCK_RATE = 90_000;
const TICK_MS = 2;

export interface LoopTarget {
  ip: string;
  port: number;
  /** Rewrite the SSRC (Janus maps a remote publisher's SSRC to a stream, see janus.ts). */
  ssrc?: number;
}

interface RecordedPacket {
  bytes: Buffer;
  /** When to send it within one pass, from its RTP timestamp. */
  dueMs: number;
  /** Offset of a 15-bit VP8 picture ID, when the packet carries one. */
  pictureIdAt?: number;
}

export class RtpLoop {
  /** Packets sent to a target (not counting those skipped while no target is set). */
  sent = 0;
  readonly #socket: dgram.Socket;
  readonly #packets: RecordedPacket[];
  readonly #loopMs: number;
  readonly #ticksPerLoop: number;
  readonly #framesPerLoop: number;
  #target: LoopTarget | undefined;
  #next = 0;
  #pass = 0;
  readonly #startedAt = performance.now();
  readonly #timer: NodeJS.Timeout;

  private constructor(socket: dgram.Socket, packets: RecordedPacket[], frameRate: number) {
    this.#socket = socket;
    this.#packets = packets;
    const first = packets[0]?.bytes.readUInt32BE(4) ?? 0;
    const last = packets.at(-1)?.bytes.readUInt32BE(4) ?? 0;
    this.#ticksPerLoop = ((last - first) >>> 0) + VIDEO_CLOCK_RATE / frameRate;
    this.#loopMs = (this.#ticksPerLoop * 1000) / VIDEO_CLOCK_RATE;
    this.#framesPerLoop = new Set(packets.map((p) => p.bytes.readUInt32BE(4))).size;
    this.#timer = setInterval(() => this.#sendDue(), TICK_MS);
  }

  /**
   * Records `seconds` of what `spawnSender(port, rtcpPort)` sends (RTCP is
   * dropped), from its first key frame to its last complete frame. The
   * sender is stopped afterwards.
   */
  static async record(
    seconds: number,
    frameRate: number,
    spawnSender: (port: number, rtcpPort: number) => ChildProcess,
  ): Promise<RtpLoop> {
    const { parseRtp, parseVp8Descriptor, stopProcess } = await import('@beacon/media-server/testing');
    const [rtp, rtcp] = [dgram.createSocket('udp4'), dgram.createSocket('udp4')];
    for (const socket of [rtp, rtcp]) {
      socket.bind(0, '127.0.0.1');
      await once(socket, 'listening');
    }
    const packets: RecordedPacket[] = [];
    let firstTimestamp: number | undefined;
    rtp.on('message', (bytes) => {
      const packet = parseRtp(bytes);
      const vp8 = packet && parseVp8Descriptor(packet.payload);
      if (!packet || !vp8 || (firstTimestamp === undefined && !vp8.keyFrame)) return;
      firstTimestamp ??= packet.timestamp;
      const payloadAt = packet.payload.byteOffset - bytes.byteOffset;
      // 15-bit picture ID (M bit): X and I bits set, ID in the two bytes after the extension byte.
      const pictureIdAt = vp8.pictureId !== undefined && (bytes[payloadAt + 2] ?? 0) & 0x80 ? payloadAt + 2 : undefined;
      const dueMs = (((packet.timestamp - firstTimestamp) >>> 0) * 1000) / VIDEO_CLOCK_RATE;
      packets.push({ bytes, dueMs, pictureIdAt });
    });
    const sender = spawnSender(rtp.address().port, rtcp.address().port);
    try {
      await delay(seconds * 1000);
    } finally {
      await stopProcess(sender);
      rtp.removeAllListeners('message');
      rtcp.close();
    }
    // End on a frame's last packet (marker bit) so the next pass starts on a whole frame.
    const lastMarker = packets.findLastIndex((p) => ((p.bytes[1] ?? 0) & 0x80) !== 0);
    packets.splice(lastMarker + 1);
    if (packets.length === 0) {
      rtp.close();
      throw new Error('the RTP sender sent no VP8 key frame while recording');
    }
    return new RtpLoop(rtp, packets, frameRate);
  }

  /** From now on play to `target`; undefined skips packets (the stream's clock keeps running). */
  playTo(target: LoopTarget | undefined): void {
    this.#target = target;
  }

  #sendDue(): void {
    const elapsed = performance.now() - this.#startedAt;
    for (;;) {
      const packet = this.#packets[this.#next];
      if (!packet || this.#pass * this.#loopMs + packet.dueMs > elapsed) return;
      if (this.#target) this.#send(packet, this.#target);
      this.#next += 1;
      if (this.#next === this.#packets.length) {
        this.#next = 0;
        this.#pass += 1;
      }
    }
  }

  #send(packet: RecordedPacket, target: LoopTarget): void {
    const bytes = Buffer.from(packet.bytes);
    const pass = this.#pass;
    bytes.writeUInt16BE((bytes.readUInt16BE(2) + pass * this.#packets.length) & 0xffff, 2);
    bytes.writeUInt32BE((bytes.readUInt32BE(4) + pass * this.#ticksPerLoop) >>> 0, 4);
    if (target.ssrc !== undefined) bytes.writeUInt32BE(target.ssrc, 8);
    if (packet.pictureIdAt !== undefined) {
      const pictureId = ((bytes.readUInt16BE(packet.pictureIdAt) & 0x7fff) + pass * this.#framesPerLoop) & 0x7fff;
      bytes.writeUInt16BE(0x8000 | pictureId, packet.pictureIdAt);
    }
    this.sent += 1;
    this.#socket.send(bytes, target.port, target.ip);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#socket.close();
  }
}
