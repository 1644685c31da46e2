/**
 * A room's shared audio in the gateway: one tap (the room's browser audio,
 * decoded once) and one mix-minus mixer for every phone of the room. Opened
 * with the room's first phone, closed with its last.
 */
import type { TapStream } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { PhoneMedia } from '../media/PhoneMedia.ts';
import { RoomMixer } from '../media/RoomMixer.ts';
import { RoomTap } from '../media/RoomTap.ts';
import type { GatewayService } from '../signaling/GatewayService.ts';

const logger = createLogger('RoomAudio');

export interface RoomAudioOptions {
  localIp: string;
  portRange: { min: number; max: number };
  maxSpeakers: number;
  /** Forged or stray datagrams at the tap's port (metrics). */
  onForeignPacket?: () => void;
}

export class RoomAudio {
  readonly roomId: string;
  readonly mixer: RoomMixer;
  readonly #tap: RoomTap;
  readonly #service: GatewayService;
  readonly #producers = new Set<string>();

  private constructor(roomId: string, tap: RoomTap, service: GatewayService, maxSpeakers: number) {
    this.roomId = roomId;
    this.#tap = tap;
    this.#service = service;
    this.mixer = new RoomMixer({ maxSpeakers });
    this.mixer.setTap(tap);
  }

  static async open(roomId: string, service: GatewayService, opts: RoomAudioOptions): Promise<RoomAudio> {
    const tap = await RoomTap.open({
      localIp: opts.localIp,
      portRange: opts.portRange,
      onForeignPacket: opts.onForeignPacket,
    });
    const audio = new RoomAudio(roomId, tap, service, opts.maxSpeakers);
    try {
      await audio.retap();
    } catch (err) {
      tap.close();
      throw err;
    }
    logger.info({ roomId, port: tap.localPort }, 'room audio tapped');
    return audio;
  }

  get legCount(): number {
    return this.mixer.legCount;
  }

  addLeg(legId: string, media: PhoneMedia): void {
    this.mixer.addLeg(legId, media);
  }

  removeLeg(legId: string): void {
    this.mixer.removeLeg(legId);
  }

  addStream(stream: TapStream): void {
    if (this.#producers.has(stream.producerId)) return;
    this.#producers.add(stream.producerId);
    this.#tap.addStream(stream);
  }

  removeStream(producerId: string): void {
    if (!this.#producers.delete(producerId)) return;
    this.#tap.removeStream(producerId);
  }

  /** (Re)asks signaling for the room's audio: at open, and after the service socket reconnected. */
  async retap(): Promise<void> {
    const streams = await this.#service.tap(this.roomId, this.#tap.localIp, this.#tap.localPort);
    for (const producerId of [...this.#producers]) this.removeStream(producerId);
    for (const stream of streams) this.addStream(stream);
  }

  async close(): Promise<void> {
    await this.#service.untap(this.roomId);
    this.#tap.close();
    logger.info({ roomId: this.roomId }, 'room audio closed');
  }
}
