/**
 * One phone call's RTP endpoint: a UDP socket facing the phone.
 *
 * In: DTMF events become 'dtmf'; audio (G.711, or G.722 at 16 kHz) goes to
 * a jitter buffer the mixer drains once per tick (readFrame), and is
 * forwarded at once to the leg's mediasoup producer (setUplink) for the
 * browsers. Out: once per tick the mixer hands a frame at the leg's rate
 * (writeFrame); a queued voice prompt takes its place, comfort noise fills
 * silence. Nothing goes out while the phone holds the call or before its
 * address is known.
 *
 * Whose packets count (anyone who can reach the port could otherwise listen
 * to the room, speak into it, or press 1 on an alert call): only the phone's.
 * The remote address is the SDP's connection address and port. A NAT may
 * give the phone another source port (rarely another address: then the
 * address Kamailio saw its SIP come from, `signalIp`, stands in for the
 * SDP's); so the first valid RTP packet of a negotiated payload type from
 * one of those addresses pins the remote once — port included — and from
 * then on every datagram from any other address or port is dropped unread
 * and counted (`foreignDropped`, `onForeignPacket`). A new offer/answer with
 * a different remote (re-INVITE) starts over. Only a process on the phone's
 * own address that sends before the phone could take the latch.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { TypedEmitter } from '@beacon/common';
import { createLogger } from '../logger.ts';
import { FRAME_SAMPLES, type MixRate, SAMPLE_RATE, WIDE_FRAME_SAMPLES } from './audioFrame.ts';
import { DtmfReceiver } from './dtmf.ts';
import { JitterBuffer, type JitterBufferStats } from './JitterBuffer.ts';
import { PromptPlayer } from './PromptPlayer.ts';
import { createLegCodec, type LegCodec, type PhoneCodec, type UplinkCodec, uplinkCodecOf } from './phoneCodec.ts';
import { parseRtp, RtpSender } from './rtp.ts';
import { UplinkForwarder, type UplinkTarget } from './UplinkForwarder.ts';
import { bindUdp, type PortRange } from './udpBind.ts';

const logger = createLogger('PhoneMedia');

export interface PhoneMediaOptions {
  /** Bind address of the phone-facing socket, e.g. '127.0.0.1'. */
  localIp: string;
  /** Even ports in this range are tried until one binds. */
  portRange: PortRange;
  /** No RTP from the phone for this long → 'timeout'. Paused while held. Default 30 000. */
  rtpTimeoutMs?: number;
  /** Called for each datagram dropped because it came from neither the phone nor mediasoup (metrics). */
  onForeignPacket?: () => void;
}

export interface PhoneMediaFormat {
  codec: PhoneCodec;
  payloadType: number;
  telephoneEventPt: number | null;
  remote: { ip: string; port: number } | null;
  /** Where Kamailio saw the phone's SIP come from, when known: may latch the remote like the SDP's address. */
  signalIp?: string | null;
}

export type PhoneMediaEvents = { dtmf: [digit: string]; timeout: [] };

export interface PhoneMediaStats {
  packetsIn: number;
  packetsOut: number;
  lastPacketAt: number | null;
  /** Datagrams from the phone that were not RTP of the negotiated payload types (RTCP, garbage, comfort noise). */
  ignored: number;
  /** Datagrams from any other address or port than the phone's: dropped unread. */
  foreignDropped: number;
  jitter: Readonly<JitterBufferStats>;
}

/** Decoded audio waiting to be cut into 20 ms frames (phones may send 10 or 30 ms packets). */
const FIFO_SAMPLES = WIDE_FRAME_SAMPLES * 8;

export class PhoneMedia extends TypedEmitter<PhoneMediaEvents> {
  readonly localIp: string;
  readonly localPort: number;
  readonly #socket: Socket;
  readonly #timeoutMs: number;
  readonly #jitter = new JitterBuffer();
  readonly #dtmf = new DtmfReceiver();
  readonly #prompts = new PromptPlayer();
  readonly #fifo = new Int16Array(FIFO_SAMPLES);
  #fifoLength = 0;
  #frame = new Int16Array(FRAME_SAMPLES);
  #codec: LegCodec | null = null;
  #format: PhoneMediaFormat | null = null;
  #sendTo: { ip: string; port: number } | null = null;
  /** True once a packet pinned #sendTo: no other source is accepted until the next offer/answer. */
  #latched = false;
  readonly #onForeign: (() => void) | undefined;
  #downlink: RtpSender | null = null;
  #uplink: UplinkForwarder | null = null;
  #held = false;
  #muted = false;
  #sendMuted = false;
  #closed = false;
  #pendingGap = 0;
  #noiseFrame = 0;
  #lastActivity = Date.now();
  readonly #timer: NodeJS.Timeout;
  readonly #stats = { packetsIn: 0, packetsOut: 0, lastPacketAt: null as number | null, ignored: 0, foreignDropped: 0 };

  static async open(opts: PhoneMediaOptions): Promise<PhoneMedia> {
    const socket = await bindUdp(opts.localIp, opts.portRange);
    return new PhoneMedia(socket, opts);
  }

  private constructor(socket: Socket, opts: PhoneMediaOptions) {
    super();
    this.#socket = socket;
    this.localIp = opts.localIp;
    this.localPort = socket.address().port;
    this.#timeoutMs = opts.rtpTimeoutMs ?? 30_000;
    this.#onForeign = opts.onForeignPacket;
    socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
    // Sends to a phone that went away fail with ICMP errors; the RTP timeout handles the phone.
    socket.on('error', (err) => logger.debug({ err, port: this.localPort }, 'socket error'));
    this.#dtmf.on('digit', (digit) => this.safeEmit('dtmf', digit));
    this.#timer = setInterval(() => this.#checkTimeout(), Math.min(1000, Math.max(10, this.#timeoutMs / 5)));
    this.#timer.unref();
  }

  get stats(): PhoneMediaStats {
    return { ...this.#stats, jitter: this.#jitter.stats };
  }

  get playing(): boolean {
    return this.#prompts.playing;
  }

  /** The rate of the frames this leg reads and is given (the mixer's MixLeg): 16 kHz for G.722. */
  get mixRate(): MixRate {
    return this.#codec?.rate ?? SAMPLE_RATE;
  }

  /** What the leg's producer in the room should carry: G.722 as the phone sends it, else PCMU. */
  get uplinkCodec(): UplinkCodec {
    return uplinkCodecOf(this.#format?.codec ?? 'PCMU');
  }

  setFormat(format: PhoneMediaFormat): void {
    const previous = this.#format;
    if (previous?.codec !== format.codec || previous.payloadType !== format.payloadType) this.#flushAudio();
    if (this.#codec?.codec !== format.codec) {
      // G.722 keeps state: a new codec (or a switch back to it) starts from the standard's reset state.
      this.#codec = createLegCodec(format.codec);
      this.#frame = new Int16Array(this.#codec.frameSamples);
    }
    const remoteChanged = previous?.remote?.ip !== format.remote?.ip || previous?.remote?.port !== format.remote?.port;
    // A new remote starts over; the SIP source address arriving late only widens who may latch.
    if (remoteChanged) {
      this.#sendTo = format.remote;
      this.#latched = false;
    }
    this.#format = { ...format };
    if (this.#downlink === null) this.#downlink = new RtpSender({ payloadType: format.payloadType });
    else this.#downlink.payloadType = format.payloadType;
  }

  setHeld(held: boolean): void {
    if (held === this.#held) return;
    this.#held = held;
    this.#flushAudio();
    // The timeout window restarts on resume: a held phone rightly sends nothing.
    if (!held) this.#lastActivity = Date.now();
  }

  setMuted(muted: boolean): void {
    if (muted === this.#muted) return;
    this.#muted = muted;
    this.#flushAudio();
  }

  /**
   * What we send the far end: the room's mix (false), or comfort noise only (true) — the chair muted our side
   * toward the upstream conference. Prompts still play.
   */
  setSendMuted(muted: boolean): void {
    this.#sendMuted = muted;
  }

  setUplink(target: UplinkTarget | null): void {
    if (target === null) this.#uplink = null;
    else if (this.#uplink === null || !this.#uplink.sameAs(target))
      this.#uplink = new UplinkForwarder(this.#socket, target);
  }

  play(pcm: Int16Array): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return this.#prompts.play(pcm);
  }

  stopPrompts(): void {
    this.#prompts.stop();
  }

  /** The phone's audio for this tick, or null. The array is reused: valid until the next call. */
  readFrame(): Int16Array | null {
    const codec = this.#codec;
    if (codec === null || this.#muted || this.#held || this.#closed) return null;
    const samples = codec.frameSamples;
    while (this.#fifoLength < samples) {
      const payload = this.#jitter.pop();
      if (payload === null) break;
      this.#fifoLength += codec.decodeInto(payload, this.#fifo, this.#fifoLength);
    }
    if (this.#fifoLength < samples) return null;
    this.#frame.set(this.#fifo.subarray(0, samples));
    this.#fifo.copyWithin(0, samples, this.#fifoLength);
    this.#fifoLength -= samples;
    return this.#frame;
  }

  /**
   * Sends this tick's packet: a prompt frame if one is playing, else `mix`
   * (at the leg's `mixRate`), else comfort noise.
   */
  writeFrame(mix: Int16Array | null): void {
    const codec = this.#codec;
    const downlink = this.#downlink;
    const sendTo = this.#sendTo;
    if (this.#closed || codec === null || downlink === null) return;
    if (this.#held || sendTo === null) {
      // RTP clock ticks: 8000 a second for G.711 and G.722 alike.
      this.#pendingGap += FRAME_SAMPLES;
      return;
    }
    const prompt = this.#prompts.nextFrame();
    // A mix made for the other rate (the tick a re-INVITE changed codec) is dropped for noise.
    const usable = mix !== null && !this.#sendMuted && mix.length === codec.frameSamples ? mix : null;
    let payload: Buffer;
    if (prompt !== null) payload = codec.encode(prompt, true, 0);
    else if (usable !== null) payload = codec.encode(usable, false, 0);
    else payload = codec.encode(null, false, this.#noiseFrame++);
    if (this.#pendingGap > 0) {
      downlink.gap(this.#pendingGap);
      this.#pendingGap = 0;
    }
    this.#socket.send(downlink.packet(payload, payload.length), sendTo.port, sendTo.ip);
    this.#stats.packetsOut++;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#prompts.stop();
    this.#uplink = null;
    this.#socket.close();
  }

  #onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    try {
      // Before the answer is known nobody is the phone yet: the phone's own first packets may race it.
      if (this.#format === null || this.#closed) {
        this.#stats.ignored++;
        return;
      }
      if (!this.#fromPhone(rinfo)) {
        this.#dropForeign(rinfo);
        return;
      }
      const packet = parseRtp(msg);
      const format = this.#format;
      if (packet === null) {
        this.#stats.ignored++;
        return;
      }
      const isEvent = packet.payloadType === format.telephoneEventPt;
      if (!isEvent && packet.payloadType !== format.payloadType) {
        this.#stats.ignored++;
        return;
      }
      this.#latch(rinfo);
      this.#stats.packetsIn++;
      this.#stats.lastPacketAt = this.#lastActivity = Date.now();
      if (isEvent) this.#dtmf.push(packet);
      else if (!this.#muted && !this.#held) {
        this.#jitter.push(packet);
        this.#uplink?.forward(packet, format.codec);
      }
    } catch (err) {
      // A bug must not take the socket's event loop down with it; the phone's garbage never gets here.
      logger.warn({ err, port: this.localPort }, 'failed to handle an RTP packet');
    }
  }

  /** The pinned remote once latched; before that, any port of the SDP's (or SIP's) address. */
  #fromPhone(rinfo: RemoteInfo): boolean {
    const sendTo = this.#sendTo;
    if (sendTo !== null && sendTo.ip === rinfo.address && sendTo.port === rinfo.port) return true;
    if (this.#latched) return false;
    const format = this.#format;
    return format !== null && (rinfo.address === format.remote?.ip || rinfo.address === format.signalIp);
  }

  #dropForeign(rinfo: RemoteInfo): void {
    // mediasoup's producer side never sends to us (no RTCP is asked for); still, its datagrams are not an attack.
    const uplink = this.#uplink?.target;
    if (uplink !== undefined && uplink.ip === rinfo.address && uplink.port === rinfo.port) return;
    this.#stats.foreignDropped++;
    if (this.#stats.foreignDropped === 1 || this.#stats.foreignDropped % 1000 === 0) {
      logger.warn(
        { port: this.localPort, from: `${rinfo.address}:${rinfo.port}`, dropped: this.#stats.foreignDropped },
        'RTP from a source other than the phone dropped',
      );
    }
    this.#onForeign?.();
  }

  #latch(rinfo: RemoteInfo): void {
    if (this.#latched) return;
    this.#latched = true;
    const sendTo = this.#sendTo;
    if (sendTo !== null && sendTo.ip === rinfo.address && sendTo.port === rinfo.port) return;
    logger.info(
      { port: this.localPort, sdp: sendTo, observed: `${rinfo.address}:${rinfo.port}` },
      'phone RTP source differs from SDP (NAT), latched to it',
    );
    this.#sendTo = { ip: rinfo.address, port: rinfo.port };
  }

  #checkTimeout(): void {
    if (this.#closed || this.#held) return;
    if (Date.now() - this.#lastActivity < this.#timeoutMs) return;
    clearInterval(this.#timer);
    logger.info({ port: this.localPort, timeoutMs: this.#timeoutMs }, 'no RTP from the phone');
    this.safeEmit('timeout');
  }

  #flushAudio(): void {
    this.#jitter.reset();
    this.#fifoLength = 0;
  }
}
