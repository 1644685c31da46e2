/**
 * One load participant: a phone leg as the SIP gateway runs it (own
 * socket.io connection with a leg token, `room:join`, `phone:media`), with a
 * real UDP socket sending a PCMU tone to the plain-RTP producer at 50
 * packets/s. It never consumes: the server gives phone legs no consumers
 * (the gateway's room tap feeds its mixer instead).
 *
 *   connecting ──► joining ──► in room (sending) ──► leaving ──► gone
 *        │             │             │
 *        └── failed ◄──┘             └── dropped (server closed the socket / removed us)
 *
 * Everything that happens is reported to LoadStats; `join` never throws.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { request } from '@beacon/protocol';
import { FRAME_SAMPLES } from '../../sip-gateway/src/media/audioFrame.ts';
import { RtpSender } from '../../sip-gateway/src/media/rtp.ts';
import { connectSocket, failureCode, type LoadSocket } from './connect.ts';
import type { LoadStats, SetupPhase } from './LoadStats.ts';
import type { MediaPacer, PacedSender } from './MediaPacer.ts';
import { pcmuToneFrame } from './tone.ts';

/** PCMU's static payload type (RFC 3551), what the gateway sends. */
const PCMU_PAYLOAD_TYPE = 0;

export interface PhoneParticipantOptions {
  url: string;
  legToken: string;
  roomId: string;
  /** Open the producer and send the tone; false joins signaling only. */
  media: boolean;
  toneHz: number;
  pacer: MediaPacer;
  stats: LoadStats;
  requestTimeoutMs: number;
}

interface Uplink {
  udp: dgram.Socket;
  rtp: RtpSender;
  payload: Buffer;
  ip: string;
  port: number;
  producerId: string;
}

export class PhoneParticipant implements PacedSender {
  readonly #opts: PhoneParticipantOptions;
  readonly #socket: LoadSocket;
  #uplink: Uplink | null = null;
  #leaving = false;
  #dropped = false;
  #peerId: string | null = null;

  private constructor(opts: PhoneParticipantOptions, socket: LoadSocket) {
    this.#opts = opts;
    this.#socket = socket;
    socket.on('disconnect', (reason) => {
      if (!this.#leaving) this.#drop(reason);
    });
    socket.on('room:removed', () => this.#drop('room:removed'));
    socket.on('room:ended', () => this.#drop('room:ended'));
  }

  /** Connects, joins and (with media) opens the uplink; null when any step failed (counted in stats). */
  static async join(opts: PhoneParticipantOptions): Promise<PhoneParticipant | null> {
    const { stats } = opts;
    stats.recordAttempt();
    let phase: SetupPhase = 'connect';
    let participant: PhoneParticipant | undefined;
    try {
      const started = performance.now();
      participant = new PhoneParticipant(opts, await connectSocket(opts.url, opts.legToken, opts.requestTimeoutMs));
      phase = 'join';
      const joined = await request(
        participant.#socket,
        'room:join',
        { roomId: opts.roomId },
        { timeoutMs: opts.requestTimeoutMs },
      );
      participant.#peerId = joined.peerId;
      stats.recordJoined(performance.now() - started);
      if (opts.media) {
        phase = 'media';
        await participant.#openUplink();
      }
      return participant;
    } catch (err) {
      stats.recordFailure(phase, failureCode(err));
      if (participant) participant.#close();
      return null;
    }
  }

  get peerId(): string | null {
    return this.#peerId;
  }

  /** Present in the room: joined, not dropped and not leaving. */
  get inRoom(): boolean {
    return this.#peerId !== null && !this.#dropped && !this.#leaving;
  }

  get roomId(): string {
    return this.#opts.roomId;
  }

  /** The tone this participant sends (Hz). */
  get toneHz(): number {
    return this.#opts.toneHz;
  }

  get producerId(): string | null {
    return this.#uplink?.producerId ?? null;
  }

  get ssrc(): number | null {
    return this.#uplink?.rtp.ssrc ?? null;
  }

  /** `room:leave` (counted as left when acknowledged), then closes the socket and the UDP port. */
  async leave(): Promise<void> {
    if (this.#leaving) return;
    const wasIn = this.inRoom;
    this.#leaving = true;
    this.#stopSending();
    if (wasIn) {
      try {
        await request(this.#socket, 'room:leave', {}, { timeoutMs: this.#opts.requestTimeoutMs });
        this.#opts.stats.recordLeft();
      } catch (err) {
        this.#opts.stats.recordFailure('leave', failureCode(err));
      }
    }
    this.#close();
  }

  sendFrame(): void {
    const uplink = this.#uplink;
    if (!uplink) return;
    const packet = uplink.rtp.packet(uplink.payload, FRAME_SAMPLES);
    uplink.udp.send(packet, uplink.port, uplink.ip, this.#onSent);
  }

  skipFrames(frames: number): void {
    this.#uplink?.rtp.gap(frames * FRAME_SAMPLES);
  }

  readonly #onSent = (err: Error | null): void => {
    if (err) this.#opts.stats.rtpSendErrors += 1;
    else this.#opts.stats.rtpPacketsSent += 1;
  };

  async #openUplink(): Promise<void> {
    const started = performance.now();
    const rtp = new RtpSender({ payloadType: PCMU_PAYLOAD_TYPE });
    const media = await request(
      this.#socket,
      'phone:media',
      { codec: 'PCMU', ssrc: rtp.ssrc, payloadType: PCMU_PAYLOAD_TYPE },
      { timeoutMs: this.#opts.requestTimeoutMs },
    );
    this.#opts.stats.recordMediaOpen(performance.now() - started);
    const udp = dgram.createSocket('udp4');
    udp.bind(0);
    await once(udp, 'listening');
    // Socket errors (ICMP port unreachable after the producer closed) are per-packet send errors, not crashes.
    udp.on('error', () => {
      this.#opts.stats.rtpSendErrors += 1;
    });
    this.#uplink = {
      udp,
      rtp,
      payload: pcmuToneFrame(this.#opts.toneHz),
      ip: media.ip,
      port: media.port,
      producerId: media.producerId,
    };
    if (!this.#leaving && !this.#dropped) this.#opts.pacer.add(this);
  }

  #drop(reason: string): void {
    // Before the join ack a lost socket fails the join (counted there), it is no drop.
    if (this.#dropped || this.#leaving || this.#peerId === null) return;
    this.#dropped = true;
    this.#opts.stats.recordDisconnect(reason);
    this.#stopSending();
  }

  #stopSending(): void {
    this.#opts.pacer.delete(this);
  }

  #close(): void {
    // Our own disconnect is no drop.
    this.#leaving = true;
    this.#stopSending();
    this.#socket.close();
    this.#uplink?.udp.close();
    this.#uplink = null;
  }
}
