/**
 * Forwards a phone's G.711 packets, as they arrive, to the mediasoup plain
 * producer of its leg: always PCMU, always our SSRC and payload type, one
 * sequence number after another. The producer's SSRC is fixed when it is
 * created, while the phone may change SSRC (re-INVITE, transfer) or
 * codec; restamping hides both from mediasoup and the browsers.
 *
 * Timestamps follow the phone's clock so silence suppression and loss keep
 * their real duration; packets that arrive out of order are dropped here
 * (the leg's own jitter buffer still reorders them for the mixer) since a
 * strictly increasing sequence cannot put them back.
 */
import type { Socket } from 'node:dgram';
import { alawToUlaw, type G711Codec } from './g711.ts';
import { type RtpPacket, RtpSender } from './rtp.ts';

export interface UplinkTarget {
  ip: string;
  port: number;
  ssrc: number;
  payloadType: number;
}

/** A timestamp jump larger than this (60 s at 8 kHz) is a broken clock, not a pause. */
const MAX_TS_JUMP = 8000 * 60;

function seqDiff(a: number, b: number): number {
  return ((a - b + 0x8000) & 0xffff) - 0x8000;
}

export class UplinkForwarder {
  readonly target: UplinkTarget;
  readonly #socket: Socket;
  readonly #sender: RtpSender;
  #phoneSsrc = -1;
  #phoneSeq = 0;
  #expectedTs = 0;
  #lastSentAt = 0;
  forwarded = 0;
  dropped = 0;

  constructor(socket: Socket, target: UplinkTarget) {
    this.#socket = socket;
    this.target = target;
    this.#sender = new RtpSender({ ssrc: target.ssrc, payloadType: target.payloadType });
  }

  sameAs(target: UplinkTarget): boolean {
    const t = this.target;
    return (
      t.ip === target.ip && t.port === target.port && t.ssrc === target.ssrc && t.payloadType === target.payloadType
    );
  }

  forward(packet: RtpPacket, codec: G711Codec): void {
    const now = Date.now();
    if (packet.ssrc !== this.#phoneSsrc) {
      if (this.#phoneSsrc !== -1) this.#sender.gap(this.#wallClockGap(now));
      this.#phoneSsrc = packet.ssrc;
    } else {
      if (seqDiff(packet.sequenceNumber, this.#phoneSeq) <= 0) {
        this.dropped++;
        return;
      }
      const jump = (packet.timestamp - this.#expectedTs) | 0;
      if (jump > 0 && jump <= MAX_TS_JUMP) this.#sender.gap(jump);
      else if (jump !== 0) this.#sender.gap(this.#wallClockGap(now));
    }
    this.#phoneSeq = packet.sequenceNumber;
    this.#expectedTs = (packet.timestamp + packet.payload.length) >>> 0;
    this.#lastSentAt = now;
    const payload = codec === 'PCMU' ? packet.payload : alawToUlaw(packet.payload);
    this.#socket.send(this.#sender.packet(payload, payload.length), this.target.port, this.target.ip);
    this.forwarded++;
  }

  /** Samples of wall-clock time since the last packet, less the one packet already stamped. */
  #wallClockGap(now: number): number {
    return Math.max(0, Math.round(((now - this.#lastSentAt) * 8000) / 1000) - 160);
  }
}
