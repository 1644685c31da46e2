/**
 * The receiving half of a SIP video terminal for benchmarks: one UDP socket
 * (RTP with RTCP muxed, as offered with a=rtcp-mux) that takes the main view
 * the gateway sends, puts each H.264 access unit back together (RFC 6184:
 * single NAL units, STAP-A, FU-A; an access unit ends at the marker bit) and
 * has one ffmpeg decode it to 8-bit grey frames, which it reads the painted
 * time from (frameStamp.ts).
 *
 * No jitter buffer: on loopback nothing arrives late, so what is measured
 * is Beacon's path (and the decode), not a terminal's playout delay. Each
 * access unit goes to ffmpeg whole (in IVF framing) the moment its last
 * packet arrives; decoding is single-threaded with low_delay (frame threads
 * would hold frames back), and every frame is flushed to the pipe at once.
 * ffmpeg's own pipeline still gives a picture out about one frame interval
 * after it went in (measured alone: 34 ms at 30 frames/s), which is why the
 * bench also reports when each frame's last packet arrived.
 *
 * It can ask for a key frame (RTCP PLI or FIR) as a terminal does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { NAL_IDR, rtpPayload } from '../../sip-gateway/src/media/h264Nal.ts';
import { buildFir, buildPli } from '../../sip-gateway/src/media/rtcpFeedback.ts';
import { type ReadStamp, readStamp, STAMP_HEIGHT, STAMP_WIDTH } from './frameStamp.ts';

const OUT_WIDTH = 320;
const OUT_HEIGHT = 180;
const START_CODE = Buffer.from([0, 0, 0, 1]);

export interface DecodedFrame {
  /** Date.now() when the frame came out of the decoder. */
  at: number;
  stamp: ReadStamp | null;
  /** A key frame (showinfo's iskey). */
  idr: boolean;
  /** Date.now() when its last packet arrived (null: not known). */
  arrivedAt: number | null;
  /** Decoded width × height. */
  size: string;
}

export interface KeyFrameArrival {
  at: number;
}

export class TerminalViewReceiver {
  readonly socket: dgram.Socket;
  readonly #decoder: ChildProcess;
  /** NAL units of the access unit being received. */
  #nals: Buffer[] = [];
  #fragment: Buffer[] | null = null;
  #started = false;
  /** Access units written to ffmpeg, by index (ffmpeg's pts counts them: one frame of 1/25 s each). */
  readonly #units: { idr: boolean; arrivedAt: number }[] = [];
  /** What showinfo said about frames whose picture has not come out yet, and pictures waiting for it. */
  readonly #infos: { unit: number; key: boolean; size: string }[] = [];
  readonly #pictures: { at: number; gray: Buffer }[] = [];
  #stderr = '';
  #errors: string[] = [];
  #out: Buffer = Buffer.alloc(0);
  #remote: { address: string; port: number } | null = null;
  #lastSeq: number | null = null;
  #mediaSsrc = 0;
  #firSeq = 0;
  readonly #ssrc = 0x5eed0001;
  readonly frames: DecodedFrame[] = [];
  readonly keyFrames: KeyFrameArrival[] = [];
  packets = 0;
  lostPackets = 0;
  #listeners = new Set<(frame: DecodedFrame) => void>();

  private constructor(socket: dgram.Socket) {
    this.socket = socket;
    this.#decoder = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'info', '-nostats', '-threads', '1', '-flags', 'low_delay'],
        // Probe as little as possible (0 would mean the default 5 s), and keep what was probed: the first
        // key frame is in it, and the view may send no other.
        ...['-probesize', '32', '-analyzeduration', '1', '-f', 'ivf', '-i', 'pipe:0'],
        // showinfo: which access unit each frame is (its pts is the unit's number) and whether it is a key frame.
        ...['-vf', `showinfo,scale=${OUT_WIDTH}:${OUT_HEIGHT}`, '-pix_fmt', 'gray', '-fps_mode', 'passthrough'],
        ...['-flush_packets', '1', '-f', 'rawvideo', 'pipe:1'],
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.#decoder.stderr?.setEncoding('utf8');
    this.#decoder.stderr?.on('data', (chunk: string) => this.#log(chunk));
    this.#decoder.stdin?.on('error', () => {});
    this.#decoder.stdin?.write(ivfHeader());
    this.#decoder.stdout?.on('data', (chunk: Buffer) => this.#decoded(chunk));
    socket.on('message', (packet, from) => this.#received(packet, from));
  }

  static async open(ip = '127.0.0.1'): Promise<TerminalViewReceiver> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
    socket.bind(0, ip);
    await once(socket, 'listening');
    return new TerminalViewReceiver(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Calls `listener` with each decoded frame until the returned function is called. */
  onFrame(listener: (frame: DecodedFrame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Asks the gateway for a key frame, as a terminal does: RTCP PLI, or FIR. */
  requestKeyFrame(kind: 'pli' | 'fir'): boolean {
    const remote = this.#remote;
    if (!remote) return false;
    this.#firSeq = (this.#firSeq + 1) & 0xff;
    const packet =
      kind === 'pli' ? buildPli(this.#ssrc, this.#mediaSsrc) : buildFir(this.#ssrc, this.#mediaSsrc, this.#firSeq);
    this.socket.send(packet, remote.port, remote.address);
    return true;
  }

  async close(): Promise<void> {
    this.socket.close();
    this.#decoder.stdin?.end();
    this.#decoder.kill('SIGKILL');
    if (this.#decoder.exitCode === null && this.#decoder.signalCode === null) await once(this.#decoder, 'exit');
  }

  #received(packet: Buffer, from: dgram.RemoteInfo): void {
    const second = packet[1] ?? 0;
    if (packet.length < 12 || (second >= 192 && second <= 223)) return; // RTCP
    this.#remote = { address: from.address, port: from.port };
    this.packets += 1;
    this.#mediaSsrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    if (this.#lastSeq !== null && seq !== ((this.#lastSeq + 1) & 0xffff)) {
      this.lostPackets += (seq - this.#lastSeq - 1 + 0x10000) & 0xffff;
      this.#fragment = null;
    }
    this.#lastSeq = seq;
    const payload = rtpPayload(packet);
    if (payload && payload.length > 0) this.#depacketize(payload);
    if ((second & 0x80) !== 0) this.#endOfAccessUnit();
  }

  #depacketize(payload: Buffer): void {
    const type = (payload[0] ?? 0) & 0x1f;
    if (type >= 1 && type <= 23) {
      this.#nals.push(payload);
    } else if (type === 24) {
      let offset = 1;
      while (offset + 2 < payload.length) {
        const size = payload.readUInt16BE(offset);
        if (size === 0 || offset + 2 + size > payload.length) break;
        this.#nals.push(payload.subarray(offset + 2, offset + 2 + size));
        offset += 2 + size;
      }
    } else if (type === 28 && payload.length > 2) {
      const header = payload[1] ?? 0;
      if (header & 0x80) {
        const nalHeader = ((payload[0] ?? 0) & 0xe0) | (header & 0x1f);
        this.#fragment = [Buffer.from([nalHeader]), payload.subarray(2)];
      } else if (this.#fragment) {
        this.#fragment.push(payload.subarray(2));
      }
      if (header & 0x40 && this.#fragment) {
        this.#nals.push(Buffer.concat(this.#fragment));
        this.#fragment = null;
      }
    }
  }

  #endOfAccessUnit(): void {
    const nals = this.#nals;
    this.#nals = [];
    if (nals.length === 0) return;
    const idr = nals.some((nal) => ((nal[0] ?? 0) & 0x1f) === NAL_IDR);
    const arrivedAt = Date.now();
    if (idr) this.keyFrames.push({ at: arrivedAt });
    // Nothing before the first key frame: the decoder could not start from it.
    if (!this.#started && !idr) return;
    this.#started = true;
    const parts: Buffer[] = [];
    for (const nal of nals) parts.push(START_CODE, nal);
    const unit = Buffer.concat(parts);
    const header = Buffer.alloc(12);
    header.writeUInt32LE(unit.length, 0);
    header.writeBigUInt64LE(BigInt(this.#units.length), 4);
    this.#units.push({ idr, arrivedAt });
    this.#decoder.stdin?.write(Buffer.concat([header, unit]));
  }

  #decoded(chunk: Buffer): void {
    const size = OUT_WIDTH * OUT_HEIGHT;
    this.#out = this.#out.length === 0 ? chunk : Buffer.concat([this.#out, chunk]);
    while (this.#out.length >= size) {
      this.#pictures.push({ at: Date.now(), gray: Buffer.from(this.#out.subarray(0, size)) });
      this.#out = this.#out.subarray(size);
    }
    this.#pair();
  }

  /** ffmpeg's log: one showinfo line per frame; the rest kept for a failure's message. */
  #log(chunk: string): void {
    const lines = `${this.#stderr}${chunk}`.split('\n');
    this.#stderr = lines.pop() ?? '';
    for (const line of lines) {
      const info = /showinfo.* pts:\s*(-?\d+) .* s:(\d+x\d+) .*iskey:(\d)/.exec(line);
      if (info) {
        this.#infos.push({
          unit: Number(info[1]),
          key: info[3] === '1',
          size: info[2] ?? '',
        });
      } else {
        this.#errors = [...this.#errors.slice(-9), line.trim()];
      }
    }
    this.#pair();
  }

  #pair(): void {
    while (this.#pictures.length > 0 && this.#infos.length > 0) {
      const picture = this.#pictures.shift() as { at: number; gray: Buffer };
      const info = this.#infos.shift() as { unit: number; key: boolean; size: string };
      const decoded: DecodedFrame = {
        at: picture.at,
        stamp: readStamp(picture.gray, OUT_WIDTH, OUT_HEIGHT, picture.at),
        idr: info.key,
        arrivedAt: this.#units[info.unit]?.arrivedAt ?? null,
        size: info.size,
      };
      this.frames.push(decoded);
      for (const listener of this.#listeners) listener(decoded);
    }
  }

  /** ffmpeg's last lines other than showinfo's (for a failure's message). */
  get decoderErrors(): string[] {
    return this.#errors;
  }
}

/**
 * An IVF file header for H.264 with a 1/1000 time base: each access unit then goes in with its own number as
 * its pts (a 12-byte frame header), so ffmpeg needs no parser to find where a frame ends (a raw H.264 stream
 * is cut at the next frame's start) and showinfo's pts names the unit a frame was decoded from.
 */
function ivfHeader(): Buffer {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0, 'latin1');
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(32, 6);
  header.write('H264', 8, 'latin1');
  header.writeUInt16LE(STAMP_WIDTH, 12);
  header.writeUInt16LE(STAMP_HEIGHT, 14);
  header.writeUInt32LE(1000, 16);
  header.writeUInt32LE(1, 20);
  return header;
}
