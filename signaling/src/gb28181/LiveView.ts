/**
 * One camera channel watched live (实时视频): the channel becomes a
 * participant of its own room `cam-<channelId>` whose camera producer is a
 * plain-RTP H.264 producer; the platform INVITEs the device to send MPEG-PS
 * over RTP to a UDP port of ours, demultiplexes it (PsDemuxer), waits for
 * SPS/PPS and a key frame (H264Gate) and repacketizes the frames as RFC 6184
 * RTP into the producer. Browsers join the room as audience and decode it.
 *
 *   inviting ──200 OK + ACK──► streaming ──(stop / BYE / no media / codec)──► ended
 *       └──refused / timeout──► ended
 *
 * A camera that sends nothing for `mediaTimeoutMs`, never shows SPS/PPS, or
 * sends H.265 is hung up with the reason logged; nothing it sends can throw
 * out of the RTP handler.
 */
import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import type { MediaControl, ProducerInfo } from '@beacon/media-server';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { ConferenceRoom } from '../rooms/ConferenceRoom.ts';
import { Participant } from '../rooms/Participant.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import { GbError, refused } from './GbError.ts';
import type { GbPlatform } from './GbPlatform.ts';
import { H264Gate, H264Packetizer, h264RtpParameters, rtpPayload, splitAnnexB } from './h264Rtp.ts';
import { ProducerKeyFrameWatch } from './KeyFrameRequests.ts';
import { liveViewOffer, liveViewSsrc, readLiveViewAnswer } from './liveSdp.ts';
import { PsDemuxer } from './PsDemuxer.ts';
import { newTag } from './SipEndpoint.ts';
import { headerParam } from './sipMessage.ts';
import { TcpRtpReceiver } from './TcpRtpReceiver.ts';

const logger = createLogger('gb28181');
const H264_PAYLOAD_TYPE = 102;

export const cameraRoomId = (channelId: string): string => `cam-${channelId}`;
const sipTransport = (peer: { transport?: string }) => (peer.transport === 'tcp' ? ';transport=tcp' : '');

export type LiveViewState = 'inviting' | 'streaming' | 'ended';

export interface LiveViewOptions {
  platform: GbPlatform;
  registry: RoomRegistry;
  media: MediaControl;
  deviceId: string;
  channelId: string;
  name: string;
  townshipId: string | null;
  /** Where the device sends video (our address as the device sees it). */
  mediaIp: string;
  serial: number;
  /** Hang up when no usable frame arrived for this long; default 15 s. */
  mediaTimeoutMs?: number;
  /** At most one key frame request (IFameCmd) to the device per this interval; default 2 s. */
  keyFrameIntervalMs?: number;
  /** How the device sends: RTP over UDP (default) or over TCP with us listening (TCP passive). */
  transport?: 'udp' | 'tcp';
  onEnded(view: LiveView, reason: string): void;
}

export class LiveView {
  readonly roomId: string;
  readonly callId = `${randomUUID()}@beacon`;
  state: LiveViewState = 'inviting';
  /** Wall-clock time of the first frame forwarded (the bench's click-to-frame figure). */
  firstFrameAt: number | null = null;
  framesForwarded = 0;
  readonly #opts: LiveViewOptions;
  readonly #socket = dgram.createSocket('udp4');
  readonly #participant: Participant;
  readonly #gate = new H264Gate();
  readonly #demuxer: PsDemuxer;
  #packetizer: H264Packetizer | null = null;
  #producerAddress: { ip: string; port: number } | null = null;
  #lastSequence: number | null = null;
  #lastRtpTimestamp = 0;
  #lastFrameAt = Date.now();
  /** Addresses video is taken from: the device's SIP address and the one its answer names (anything else is dropped). */
  #sources = new Set<string>();
  #toTag: string | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #tcp: TcpRtpReceiver | null = null;
  #ssrc = 0;
  /** Meetings the camera is a participant of: the same RTP also goes to a producer of each (see addMeeting). */
  readonly #meetings = new Map<string, { participant: Participant; address: { ip: string; port: number } }>();
  /** Our plain producers (the camera room's and each meeting's): their key frame requests go to the device. */
  readonly #keyFrameWatch: ProducerKeyFrameWatch;

  constructor(opts: LiveViewOptions) {
    this.#opts = opts;
    this.roomId = cameraRoomId(opts.channelId);
    this.#participant = new Participant({
      peerId: `gb:${opts.channelId}:${randomUUID().slice(0, 8)}`,
      roomId: this.roomId,
      socketId: `gb28181:${opts.channelId}`,
      claims: {
        userId: `gb28181:${opts.channelId}`,
        username: opts.channelId,
        displayName: opts.name,
        role: 'service',
        townshipId: opts.townshipId,
      },
    });
    this.#demuxer = new PsDemuxer((unit) => this.#frame(unit.pts, unit.data));
    this.#keyFrameWatch = new ProducerKeyFrameWatch(opts.media, {
      send: () => opts.platform.requestKeyFrame(opts.deviceId, opts.channelId),
      minIntervalMs: opts.keyFrameIntervalMs,
      active: () => this.state === 'streaming',
    });
  }

  get channelId(): string {
    return this.#opts.channelId;
  }

  /** Opens the room, the producer and our RTP port, then INVITEs the device; resolves when it answered. */
  async start(): Promise<void> {
    const { platform, registry, deviceId, channelId } = this.#opts;
    await new Promise<void>((resolve, reject) => {
      this.#socket.once('error', reject);
      this.#socket.bind(0, this.#opts.mediaIp, () => resolve());
    });
    this.#socket.on('message', (packet, from) => {
      if (this.#sources.has(from.address)) this.#rtp(packet);
    });
    const transport = this.#opts.transport ?? 'udp';
    let ourPort = this.#socket.address().port;
    if (transport === 'tcp') {
      this.#tcp = new TcpRtpReceiver(
        (address) => this.#sources.has(address),
        (packet) => this.#rtp(packet),
      );
      ourPort = await this.#tcp.listen(this.#opts.mediaIp);
    }
    const room = await registry.join(this.roomId, this.#participant, { mode: 'meeting' });
    // The last viewer gone (a closed tab never says DELETE): nobody watches, so the camera stops sending.
    room.on('peerleft', () => {
      if (this.state !== 'ended' && !this.inUse) {
        void this.stop('no_viewers');
      }
    });
    const ssrc = (Math.random() * 0xffffffff) >>> 0;
    this.#ssrc = ssrc;
    this.#producerAddress = await this.#produce(room, this.#participant);
    this.#packetizer = new H264Packetizer({ ssrc, payloadType: H264_PAYLOAD_TYPE });

    const session = platform.session(deviceId);
    this.#sources = new Set([session.peer.ip]);
    const { serverId, realm } = platform.options;
    const y = liveViewSsrc(realm, this.#opts.serial);
    const { uri, headers } = platform.dialogHeaders(deviceId, channelId, this.callId, 1, 'INVITE');
    const response = await platform.sip.request(session.peer, {
      method: 'INVITE',
      uri,
      headers: [
        ...headers,
        ['Contact', `<sip:${serverId}@${this.#opts.mediaIp}:${platform.sip.port}${sipTransport(session.peer)}>`],
        ['Content-Type', 'APPLICATION/SDP'],
        ['Subject', `${channelId}:${y},${serverId}:0`],
      ],
      body: liveViewOffer({ serverId, ip: this.#opts.mediaIp, port: ourPort, ssrc: y, transport }),
    });
    if (response.status >= 300) throw refused('INVITE', response);
    this.#toTag = headerParam(response.headers.require('to'), 'tag') ?? null;
    const ack = platform.dialogHeaders(deviceId, channelId, this.callId, 1, 'ACK', this.#toTag ?? undefined);
    platform.sip.fire(session.peer, { method: 'ACK', uri: ack.uri, headers: ack.headers });
    const answer = readLiveViewAnswer(response.body);
    this.#sources.add(answer.ip);
    this.state = 'streaming';
    this.#lastFrameAt = Date.now();
    logger.info({ channelId, deviceId, answer, ourPort, transport }, 'live view answered');
    const timeout = this.#opts.mediaTimeoutMs ?? 15_000;
    this.#watchdog = setInterval(() => {
      if (Date.now() - this.#lastFrameAt <= timeout) return;
      const reason = this.#gate.sawParameterSets || this.#lastSequence === null ? 'no_media' : 'no_parameter_sets';
      void this.stop(reason);
    }, 1000);
    this.#watchdog.unref();
  }

  /** Hangs up (BYE unless the device did), leaves the room, frees the port. Idempotent. */
  async stop(reason: string, byDevice = false): Promise<void> {
    if (this.state === 'ended') return;
    const wasStreaming = this.state === 'streaming';
    this.state = 'ended';
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#keyFrameWatch.close();
    this.#socket.close();
    this.#tcp?.close();
    this.#opts.registry.get(this.roomId)?.remove(this.#participant.peerId);
    for (const roomId of [...this.#meetings.keys()]) this.removeMeeting(roomId);
    logger.info({ channelId: this.#opts.channelId, reason, frames: this.framesForwarded }, 'live view ended');
    this.#opts.onEnded(this, reason);
    if (wasStreaming && !byDevice) {
      const { platform, deviceId, channelId } = this.#opts;
      try {
        const bye = platform.dialogHeaders(deviceId, channelId, this.callId, 2, 'BYE', this.#toTag ?? newTag());
        await platform.sip.request(platform.session(deviceId).peer, {
          method: 'BYE',
          uri: bye.uri,
          headers: bye.headers,
        });
      } catch (err) {
        logger.debug({ err, channelId }, 'BYE not answered');
      }
    }
  }

  /** Wall viewers in the camera's own room, or meetings showing it: while true the view keeps running. */
  get inUse(): boolean {
    const room = this.#opts.registry.get(this.roomId);
    const viewers = room?.participants().some((p) => p !== this.#participant) ?? false;
    return viewers || this.#meetings.size > 0;
  }

  /** How many meetings the camera is a participant of. */
  get meetings(): number {
    return this.#meetings.size;
  }

  /** The camera's participant in a meeting, when it is one. */
  meetingParticipant(roomId: string): Participant | null {
    return this.#meetings.get(roomId)?.participant ?? null;
  }

  /**
   * Makes the camera a participant of a running meeting room: a second plain producer there fed with the
   * very RTP packets of the camera's own producer (same SSRC). Sending each packet twice from here costs
   * one UDP send; a router-to-router pipe would need a new call on the media-node control protocol, and
   * the media node may be remote. The participant has no audio and never consumes.
   */
  async addMeeting(roomId: string, participant: Participant): Promise<void> {
    if (this.state !== 'streaming') throw new BeaconError('camera_unavailable', 'the live view is not streaming');
    const room = this.#opts.registry.get(roomId);
    if (!room || room.closed) throw new BeaconError('room_not_found', `room "${roomId}" is not running`);
    room.add(participant);
    try {
      const address = await this.#produce(room, participant);
      this.#meetings.set(roomId, { participant, address });
    } catch (err) {
      room.remove(participant.peerId);
      throw err;
    }
  }

  /** Takes the camera out of a meeting (its tile goes for everyone). Idempotent. */
  removeMeeting(roomId: string): void {
    const entry = this.#meetings.get(roomId);
    if (!entry) return;
    this.#meetings.delete(roomId);
    this.#opts.registry.get(roomId)?.remove(entry.participant.peerId);
  }

  async #produce(room: ConferenceRoom, participant: Participant): Promise<{ ip: string; port: number }> {
    const appData = { source: 'camera', peerId: participant.peerId };
    const plain = await this.#opts.media.createPlainProducer(room.id, participant.peerId, {
      kind: 'video',
      rtpParameters: h264RtpParameters(H264_PAYLOAD_TYPE, this.#ssrc),
      appData,
      keyFrameRequests: true,
    });
    this.#keyFrameWatch.add(plain.producerId);
    const producer: ProducerInfo = {
      id: plain.producerId,
      peerId: participant.peerId,
      kind: 'video',
      paused: false,
      appData,
    };
    await room.adoptProducer(participant, producer, 'camera');
    return { ip: plain.ip, port: plain.port };
  }

  #rtp(packet: Buffer): void {
    const payload = this.state === 'streaming' ? rtpPayload(packet) : null;
    if (!payload) return;
    const sequence = packet.readUInt16BE(2);
    if (this.#lastSequence !== null && sequence !== ((this.#lastSequence + 1) & 0xffff)) this.#demuxer.discontinuity();
    this.#lastSequence = sequence;
    this.#lastRtpTimestamp = packet.readUInt32BE(4);
    try {
      this.#demuxer.push(payload);
      if ((packet[1] as number) & 0x80) this.#demuxer.flush();
    } catch (err) {
      const code = err instanceof GbError ? err.code : 'ps_malformed';
      logger.warn({ channelId: this.#opts.channelId, code, reason: (err as Error).message }, 'camera stream refused');
      void this.stop(code);
    }
  }

  #frame(pts: number | null, data: Buffer): void {
    const units = this.#gate.accept(splitAnnexB(data));
    if (!units || !this.#packetizer || !this.#producerAddress) return;
    const address = this.#producerAddress;
    this.#packetizer.frame(units, pts ?? this.#lastRtpTimestamp, (rtp) => {
      this.#socket.send(rtp, address.port, address.ip);
      for (const meeting of this.#meetings.values()) this.#socket.send(rtp, meeting.address.port, meeting.address.ip);
    });
    this.#lastFrameAt = Date.now();
    this.framesForwarded += 1;
    this.firstFrameAt ??= this.#lastFrameAt;
  }
}
