/**
 * A SIP video terminal's video through the gateway: three UDP sockets and
 * the relaying between them, no decoding.
 *
 *   terminal ──RTP──▶ [terminal RTP] ──restamped──▶ [room side] ──▶ mediasoup producer (H.264)
 *   terminal ◀─RTP── [terminal RTP] ◀──restamped── [room side] ◀── main view (consumer or ffmpeg)
 *   terminal ◀─RTCP─▶ [terminal RTCP] (or muxed on RTP)   key-frame requests both ways
 *
 * The terminal side takes packets only from the address its SDP named (the
 * phone's source locking); the room side only from the producer's and the
 * main view's own ports. A key-frame request from the room (mediasoup's PLI
 * or FIR when a browser starts consuming or loses a frame) becomes a PLI to
 * the terminal and a `pictureUpdate` event (the leg also sends SIP INFO
 * picture_fast_update, which many terminals heed rather than RTCP); one from
 * the terminal becomes a `keyFrameRequest` event for whoever feeds it.
 */
import { randomInt } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import { TypedEmitter } from '@beacon/common';
import { createLogger } from '../logger.ts';
import type { VideoNegotiation } from '../sip/sipTypes.ts';
import { NAL_IDR, NAL_PPS, NAL_SPS, nalTypes, rtpPayload } from './h264Nal.ts';
import { RtpRestamper } from './RtpRestamper.ts';
import { asksForKeyFrame, buildPli, isRtcp } from './rtcpFeedback.ts';
import { bindUdp, bindUdpAt, type PortRange } from './udpBind.ts';

const logger = createLogger('TerminalVideo');

/** Key-frame requests to the terminal at most this often: a burst of PLIs from many browsers is one request. */
const PICTURE_UPDATE_INTERVAL_MS = 500;

export type TerminalVideoEvents = {
  /** The room needs a key frame from the terminal (also sent to it as RTCP PLI). */
  pictureUpdate: [];
  /** The terminal asked for a key frame of what it receives (RTCP PLI/FIR, or SIP INFO via the leg). */
  keyFrameRequest: [];
  /** A coded problem with what the terminal sends, logged once per kind. */
  problem: [code: 'h264_no_parameter_sets'];
};

export interface TerminalVideoOptions {
  localIp: string;
  portRange: PortRange | null;
  /** What the gateway takes in, kbit/s (answered as b=AS/TIAS). Default 2048. */
  receiveKbps?: number;
}

/** Where the terminal's video goes in the room: the producer's plain transport. */
export interface VideoUplinkTarget {
  ip: string;
  port: number;
  ssrc: number;
  payloadType: number;
}

export class TerminalVideo extends TypedEmitter<TerminalVideoEvents> {
  readonly localIp: string;
  readonly localPort: number;
  readonly receiveKbps: number;
  /** Our SSRC towards the terminal (the main view and RTCP). */
  readonly ssrc = randomInt(1, 0xffff_fffe);
  readonly #rtp: Socket;
  readonly #rtcp: Socket;
  readonly #room: Socket;
  #remote: VideoNegotiation | null = null;
  /** The payload types the terminal's video is taken in (all H.264 mode 1; restamped to the producer's). */
  #sendTypes = new Set<number>();
  #uplink: VideoUplinkTarget | null = null;
  /** The main view's plain consumer: its port, SSRC, and where its packets go (ffmpeg's input when transcoding). */
  #view: { port: number; ssrc: number | null; relayTo: number | null } | null = null;
  /** The room-side port whose packets go to the terminal (the consumer's, or ffmpeg's output). */
  #downlinkFrom: number | null = null;
  #terminalSsrc = 0;
  /** The terminal sees one numbering across main-view switches. */
  readonly #restamper = new RtpRestamper();
  #lastPictureUpdate = 0;
  #sawParameterSets = false;
  #reported = new Set<string>();
  #closed = false;
  packetsIn = 0;
  packetsOut = 0;
  bytesIn = 0;

  static async open(opts: TerminalVideoOptions): Promise<TerminalVideo> {
    // RTP on an even port and RTCP on the next (RFC 3550 §11): retry until both are free.
    for (let attempt = 0; attempt < 20; attempt++) {
      const rtp = await bindUdp(opts.localIp, opts.portRange);
      const rtcp = await bindUdpAt(opts.localIp, rtp.address().port + 1);
      if (rtcp === null) {
        rtp.close();
        continue;
      }
      // In the RTP range too: the room's producer takes RTP from here and the main view is sent here, and a
      // media node sends plain RTP only to the gateway's RTP ports.
      const room = await bindUdp(opts.localIp, opts.portRange).catch((error: unknown) => {
        rtp.close();
        rtcp.close();
        throw error;
      });
      return new TerminalVideo(rtp, rtcp, room, opts);
    }
    throw new Error(`no free RTP/RTCP port pair on ${opts.localIp}`);
  }

  private constructor(rtp: Socket, rtcp: Socket, room: Socket, opts: TerminalVideoOptions) {
    super();
    this.#rtp = rtp;
    this.#rtcp = rtcp;
    this.#room = room;
    this.localIp = opts.localIp;
    this.localPort = rtp.address().port;
    this.receiveKbps = opts.receiveKbps ?? 2048;
    rtp.on('message', (msg, from) => this.#fromTerminal(msg, from));
    rtcp.on('message', (msg, from) => this.#fromTerminal(msg, from));
    room.on('message', (msg, from) => this.#fromRoom(msg, from));
    for (const socket of [rtp, rtcp, room]) {
      socket.on('error', (err) => logger.debug({ err, port: this.localPort }, 'socket error'));
    }
  }

  /** The room-side socket: the producer takes RTP only from here, and the main view is sent here. */
  get roomSide(): { localIp: string; localPort: number } {
    return { localIp: this.localIp, localPort: this.#room.address().port };
  }

  /** What the terminal asked to receive, kbit/s (null: unsaid). */
  get terminalKbps(): number | null {
    return this.#remote?.bandwidthKbps ?? null;
  }

  /** The H.264 payload type agreed with the terminal (null before the answer). */
  get payloadType(): number | null {
    return this.#remote?.payloadType ?? null;
  }

  setRemote(negotiation: VideoNegotiation): void {
    this.#remote = negotiation;
    this.#sendTypes = new Set(negotiation.sendPayloadTypes ?? [negotiation.payloadType]);
  }

  setUplink(target: VideoUplinkTarget): void {
    this.#uplink = target;
    // A new producer has consumers waiting for a first frame.
    this.requestPicture();
  }

  /**
   * The main view's consumer sends from `port`. Forwarded: its packets go to
   * the terminal as is (renumbered to continue the stream, see RtpRestamper). Transcoded: they go to ffmpeg at
   * `relayTo`, and ffmpeg's output (from `transcodedFrom`) goes to the terminal.
   */
  setView(view: { port: number; ssrc: number | null; relayTo: number | null; transcodedFrom: number | null } | null) {
    this.#view = view ? { port: view.port, ssrc: view.ssrc, relayTo: view.relayTo } : null;
    this.#downlinkFrom = view ? (view.transcodedFrom ?? view.port) : null;
  }

  /** Asks the main view's producer for a key frame: an RTCP PLI to its consumer, which mediasoup passes on. */
  requestViewKeyFrame(): void {
    const view = this.#view;
    const uplink = this.#uplink;
    if (this.#closed || view === null || view.ssrc === null || uplink === null) return;
    this.#room.send(buildPli(this.ssrc, view.ssrc), view.port, uplink.ip);
  }

  /** Asks the terminal for a key frame (RTCP PLI), at most once per PICTURE_UPDATE_INTERVAL_MS. */
  requestPicture(): void {
    const now = Date.now();
    if (this.#closed || now - this.#lastPictureUpdate < PICTURE_UPDATE_INTERVAL_MS) return;
    this.#lastPictureUpdate = now;
    const remote = this.#remote;
    if (remote) {
      const pli = buildPli(this.ssrc, this.#terminalSsrc);
      const socket = remote.rtcpMux ? this.#rtp : this.#rtcp;
      socket.send(pli, remote.remote.rtcpPort, remote.remote.ip);
    }
    this.safeEmit('pictureUpdate');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const socket of [this.#rtp, this.#rtcp, this.#room]) {
      try {
        socket.close();
      } catch {
        // already closed
      }
    }
    this.removeAllListeners();
  }

  #fromTerminal(packet: Buffer, from: RemoteInfo): void {
    const remote = this.#remote;
    if (this.#closed || remote === null || from.address !== remote.remote.ip) return;
    if (isRtcp(packet)) {
      if (asksForKeyFrame(packet)) {
        this.requestViewKeyFrame();
        this.safeEmit('keyFrameRequest');
      }
      return;
    }
    if (packet.length < 12 || !this.#sendTypes.has((packet[1] ?? 0) & 0x7f)) return;
    this.packetsIn += 1;
    this.bytesIn += packet.length;
    this.#terminalSsrc = packet.readUInt32BE(8);
    this.#checkParameterSets(packet);
    const uplink = this.#uplink;
    if (uplink === null) return;
    // Restamp in place: our SSRC and the producer's payload type (the marker bit stays).
    packet[1] = ((packet[1] ?? 0) & 0x80) | uplink.payloadType;
    packet.writeUInt32BE(uplink.ssrc >>> 0, 8);
    this.#room.send(packet, uplink.port, uplink.ip);
  }

  #fromRoom(packet: Buffer, from: RemoteInfo): void {
    if (this.#closed) return;
    const uplink = this.#uplink;
    if (uplink && from.port === uplink.port && from.address === uplink.ip) {
      // The producer's transport sends only RTCP back: receiver reports and key-frame requests.
      if (isRtcp(packet) && asksForKeyFrame(packet)) this.requestPicture();
      return;
    }
    const view = this.#view;
    if (view?.relayTo != null && from.port === view.port) {
      if (!isRtcp(packet)) this.#room.send(packet, view.relayTo, this.localIp);
      return;
    }
    if (from.port !== this.#downlinkFrom) return;
    if (isRtcp(packet)) return;
    const remote = this.#remote;
    if (remote === null || packet.length < 12) return;
    if (remote.remoteDirection === 'sendonly' || remote.remoteDirection === 'inactive') return;
    packet[1] = ((packet[1] ?? 0) & 0x80) | remote.payloadType;
    // Keyed by sender and SSRC: a new main view (or the transcoder restarting) is a new source.
    this.#restamper.restamp(packet, `${from.port}/${packet.readUInt32BE(8)}`);
    packet.writeUInt32BE(this.ssrc >>> 0, 8);
    this.packetsOut += 1;
    this.#rtp.send(packet, remote.remote.port, remote.remote.ip);
  }

  /** A key frame without SPS/PPS before it cannot be decoded: report it once, and ask for a fresh one. */
  #checkParameterSets(packet: Buffer): void {
    const payload = rtpPayload(packet);
    if (payload === null) return;
    const types = nalTypes(payload);
    if (types.includes(NAL_SPS) || types.includes(NAL_PPS)) this.#sawParameterSets = true;
    if (types.includes(NAL_IDR) && !this.#sawParameterSets) this.#report('h264_no_parameter_sets');
  }

  #report(code: 'h264_no_parameter_sets'): void {
    if (this.#reported.has(code)) return;
    this.#reported.add(code);
    logger.warn({ port: this.localPort, code }, 'terminal sends a key frame without SPS/PPS: asking for another');
    this.safeEmit('problem', code);
    this.requestPicture();
  }
}
