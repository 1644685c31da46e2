/**
 * One phone call's own socket.io connection to signaling. The leg is an
 * ordinary participant of the room (see protocol/sip.ts): the chair's mute,
 * remove, roll call and speak requests reach it exactly as they reach a
 * browser. It opens one plain-RTP producer instead of WebRTC transports.
 *
 * After a network drop socket.io reconnects by itself; the leg then resumes
 * its participant (`room:resume`) and re-opens its producer when the media
 * was lost, so the phone call survives a signaling hiccup.
 */
import { TypedEmitter } from '@beacon/common';
import type { PeerInfo, PhoneCallState, PhoneView } from '@beacon/protocol';
import { ClientError, request } from '@beacon/protocol';
import { io } from 'socket.io-client';
import { createLogger } from '../logger.ts';
import type { UplinkCodec } from '../media/phoneCodec.ts';
import type { SignalingSocket } from './GatewayService.ts';

const logger = createLogger('LegConnection');

export interface UplinkTarget {
  ip: string;
  port: number;
  ssrc: number;
  payloadType: number;
  codec: UplinkCodec;
}

export type LegConnectionEvents = {
  /** Our own mic state changed (by us or by the chair). */
  muted: [{ muted: boolean; by: 'self' | 'chair' | null }];
  /** The producer was (re)opened: send the phone's audio here. */
  uplink: [UplinkTarget];
  /** A video terminal's camera producer was (re)opened: send its video here. */
  videoUplink: [VideoUplinkTarget];
  /** A video terminal's main view changed. */
  view: [PhoneView];
  /** The chair removed us or ended the meeting: hang up. */
  removed: [reason: 'removed' | 'ended'];
  /** The chair answered our speak request. */
  speakResult: [granted: boolean];
  /** Lost for good (resume refused, token refused): hang up. */
  lost: [reason: string];
};

export interface VideoUplinkTarget {
  ip: string;
  port: number;
  ssrc: number;
  payloadType: number;
}

/** A video terminal's camera as the leg asks for it (see phone:video). */
export interface LegVideoRequest {
  ssrc: number;
  payloadType: number;
  profileLevelId: string;
  /** The gateway's room-side video socket: the producer takes RTP from there only. */
  source: { localIp: string; localPort: number };
  /** The most the terminal sends, kbit/s (the room holds a forwarded view of it to other terminals' bandwidth). */
  sendKbps?: number;
  /** What the terminal can receive, kbit/s (its b=); absent: it did not say. */
  receiveKbps?: number;
}

export interface LegConnectionOptions {
  signalingUrl: string;
  token: string;
  roomId: string;
  /** SSRC of the phone's audio as the gateway sends it to the room. */
  ssrc: number;
  /**
   * The leg's RTP socket, which sends that audio: the room's producer accepts RTP from it only. A wildcard
   * bind sends from whatever address the route picks: then mediasoup has to learn it (comedia).
   */
  source?: { localIp: string; localPort: number; readonly uplinkCodec?: UplinkCodec };
  /** A SIP video terminal's camera, opened with the mic (and re-opened with it after a media loss). */
  video?: LegVideoRequest;
}

/**
 * The producer's codec follows the phone's when the producer is (re)opened:
 * G.722 as is (payload type 9), G.711 as PCMU (0; PCMA is turned into it
 * byte by byte).
 */
const UPLINK_PAYLOAD_TYPES: Record<UplinkCodec, number> = { PCMU: 0, G722: 9 };

export class LegConnection extends TypedEmitter<LegConnectionEvents> {
  readonly #opts: LegConnectionOptions;
  readonly #socket: SignalingSocket;
  #peerId: string | null = null;
  #resumeToken: string | null = null;
  #producerId: string | null = null;
  #uplink: UplinkTarget | null = null;
  #videoUplink: VideoUplinkTarget | null = null;
  #view: PhoneView | null = null;
  #muted = false;
  #closed = false;

  private constructor(opts: LegConnectionOptions) {
    super();
    this.#opts = opts;
    this.#socket = io(opts.signalingUrl, {
      auth: { token: opts.token },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 2000,
    }) as SignalingSocket;
    this.#socket.on('peer:updated', (peer) => this.#onPeerUpdated(peer));
    this.#socket.on('room:removed', () => this.safeEmit('removed', 'removed'));
    this.#socket.on('room:ended', () => this.safeEmit('removed', 'ended'));
    this.#socket.on('speak:result', ({ granted }) => this.safeEmit('speakResult', granted));
    this.#socket.on('room:recreated', () => void this.#reopenMedia());
    this.#socket.on('phone:view', (view) => {
      this.#view = view;
      this.safeEmit('view', view);
    });
    this.#socket.io.on('reconnect', () => void this.#resume());
  }

  /** Connects, joins the room and opens the producer. Rejects (and closes) on any refusal. */
  static async open(opts: LegConnectionOptions): Promise<LegConnection> {
    const leg = new LegConnection(opts);
    try {
      await leg.#connected();
      const joined = await request(leg.#socket, 'room:join', { roomId: opts.roomId });
      leg.#peerId = joined.peerId;
      leg.#resumeToken = joined.resumeToken;
      leg.#onPeerUpdated(joined.self);
      try {
        await leg.#openMedia();
      } catch (err) {
        // A training (broadcast) room seats townships as audience: the phone listens only.
        if (!(err instanceof ClientError && err.code === 'forbidden')) throw err;
        logger.info({ roomId: opts.roomId }, 'phone joined as audience: listen only');
      }
      return leg;
    } catch (error) {
      leg.close();
      throw error;
    }
  }

  get peerId(): string | null {
    return this.#peerId;
  }

  /** Read these right after `open()`; later changes arrive as events. */
  get muted(): boolean {
    return this.#muted;
  }

  get uplink(): UplinkTarget | null {
    return this.#uplink;
  }

  get videoUplink(): VideoUplinkTarget | null {
    return this.#videoUplink;
  }

  /** A video terminal's current main view (it may arrive before `open()` resolves). */
  get view(): PhoneView | null {
    return this.#view;
  }

  /** `*6`: the phone mutes or unmutes itself (refused when the chair holds the floor closed). */
  async setMuted(muted: boolean): Promise<void> {
    if (!this.#producerId) return;
    const producerId = this.#producerId;
    if (muted) await request(this.#socket, 'producer:pause', { producerId });
    else await request(this.#socket, 'producer:resume', { producerId });
  }

  /** `*1`: raise a speak request (申请发言). */
  async requestSpeak(): Promise<void> {
    await request(this.#socket, 'speak:request', {});
  }

  async participantCount(): Promise<number> {
    return (await request(this.#socket, 'phone:count', {})).participants;
  }

  /** Shown in the console (connected / held). Best effort: a lost update is not worth failing the call. */
  setCallState(callState: PhoneCallState): void {
    request(this.#socket, 'phone:state', { callState }).catch((err: unknown) =>
      logger.debug({ err, callState }, 'call state update not delivered'),
    );
  }

  /** Leaves the room politely, then disconnects. */
  async leave(): Promise<void> {
    if (this.#closed) return;
    if (this.#socket.connected) {
      await request(this.#socket, 'room:leave', {}, { timeoutMs: 3000 }).catch(() => undefined);
    }
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.disconnect();
    this.removeAllListeners();
  }

  #connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.once('connect', () => resolve());
      this.#socket.once('connect_error', (err: Error & { data?: { code?: string } }) =>
        reject(new Error(`signaling refused the leg: ${err.data?.code ?? err.message}`)),
      );
    });
  }

  async #openMedia(): Promise<void> {
    const codec = this.#opts.source?.uplinkCodec ?? 'PCMU';
    const payloadType = UPLINK_PAYLOAD_TYPES[codec];
    const media = await request(this.#socket, 'phone:media', {
      codec,
      ssrc: this.#opts.ssrc,
      payloadType,
      source: uplinkSource(this.#opts.source),
    });
    this.#producerId = media.producerId;
    this.#uplink = { ip: media.ip, port: media.port, ssrc: this.#opts.ssrc, payloadType, codec };
    this.safeEmit('uplink', this.#uplink);
    const video = this.#opts.video;
    if (video) {
      const opened = await request(this.#socket, 'phone:video', {
        ssrc: video.ssrc,
        payloadType: video.payloadType,
        profileLevelId: video.profileLevelId,
        source: uplinkSource(video.source),
        ...(video.sendKbps === undefined ? {} : { maxKbps: video.sendKbps }),
      });
      this.#videoUplink = { ip: opened.ip, port: opened.port, ssrc: video.ssrc, payloadType: video.payloadType };
      this.safeEmit('videoUplink', this.#videoUplink);
      await request(this.#socket, 'phone:view', {
        ip: video.source.localIp,
        port: video.source.localPort,
        ...(video.receiveKbps === undefined ? {} : { maxKbps: video.receiveKbps }),
      });
    }
  }

  async #reopenMedia(): Promise<void> {
    // The media room was re-created (worker died): join again from scratch.
    try {
      const joined = await request(this.#socket, 'room:join', { roomId: this.#opts.roomId });
      this.#peerId = joined.peerId;
      this.#resumeToken = joined.resumeToken;
      await this.#openMedia();
    } catch (err) {
      this.safeEmit('lost', `re-join after media loss failed: ${(err as Error).message}`);
    }
  }

  async #resume(): Promise<void> {
    if (this.#closed || !this.#peerId || !this.#resumeToken) return;
    try {
      const resumed = await request(this.#socket, 'room:resume', {
        roomId: this.#opts.roomId,
        peerId: this.#peerId,
        resumeToken: this.#resumeToken,
      });
      logger.info({ peerId: this.#peerId, mediaLost: resumed.mediaLost }, 'leg resumed after reconnect');
      if (resumed.mediaLost) await this.#openMedia();
    } catch (err) {
      this.safeEmit('lost', `resume failed: ${(err as Error).message}`);
    }
  }

  #onPeerUpdated(peer: PeerInfo): void {
    if (peer.peerId !== this.#peerId) return;
    if (peer.audioMuted === this.#muted) return;
    this.#muted = peer.audioMuted;
    this.safeEmit('muted', { muted: peer.audioMuted, by: peer.audioMutedBy });
  }
}

function uplinkSource(source: LegConnectionOptions['source']): { ip: string; port: number } | undefined {
  if (source === undefined || source.localIp === '0.0.0.0' || source.localIp === '::') return undefined;
  return { ip: source.localIp, port: source.localPort };
}
