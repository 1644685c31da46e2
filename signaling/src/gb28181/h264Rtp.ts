/**
 * H.264 from a camera's access units to RTP for mediasoup (RFC 6184,
 * packetization-mode 1: single NAL unit packets and FU-A fragments).
 *
 * `H264Gate` holds back every frame until the stream has shown its parameter
 * sets (SPS and PPS) and then a key frame: a decoder given slices without them
 * shows nothing, so forwarding them would only waste the browser's effort. The
 * gate says how many frames it dropped waiting, so a camera that never sends
 * SPS/PPS is logged and hung up instead of showing a black tile for ever.
 */

export const NAL = { IDR: 5, SEI: 6, SPS: 7, PPS: 8, AUD: 9 } as const;

/** The NAL units of Annex B bytes, start codes removed. */
export function splitAnnexB(data: Buffer): Buffer[] {
  const units: Buffer[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < data.length) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) units.push(trimZeros(data.subarray(start, i)));
      i += 3;
      start = i;
    } else {
      i += 1;
    }
  }
  if (start >= 0 && start < data.length) units.push(data.subarray(start));
  return units.filter((unit) => unit.length > 0);
}

/** A 4-byte start code leaves a trailing zero on the unit before it. */
function trimZeros(unit: Buffer): Buffer {
  let end = unit.length;
  while (end > 0 && unit[end - 1] === 0) end -= 1;
  return unit.subarray(0, end);
}

export const nalType = (unit: Buffer): number => (unit[0] as number) & 0x1f;

export class H264Gate {
  droppedWaiting = 0;
  #sps = false;
  #pps = false;
  #open = false;

  /** The frame's NAL units to forward (AUDs removed), or null while waiting for SPS, PPS and a key frame. */
  accept(units: Buffer[]): Buffer[] | null {
    const types = units.map(nalType);
    if (types.includes(NAL.SPS)) this.#sps = true;
    if (types.includes(NAL.PPS)) this.#pps = true;
    if (!this.#open && this.#sps && this.#pps && types.includes(NAL.IDR)) this.#open = true;
    if (!this.#open) {
      this.droppedWaiting += 1;
      return null;
    }
    return units.filter((unit) => nalType(unit) !== NAL.AUD);
  }

  get open(): boolean {
    return this.#open;
  }

  get sawParameterSets(): boolean {
    return this.#sps && this.#pps;
  }
}

export type RtpSink = (packet: Buffer) => void;

/** Writes frames as RTP packets of at most `mtu` payload bytes with one SSRC and payload type. */
export class H264Packetizer {
  #sequence = Math.floor(Math.random() * 0x10000);
  readonly #ssrc: number;
  readonly #payloadType: number;
  readonly #mtu: number;

  constructor(opts: { ssrc: number; payloadType: number; mtu?: number }) {
    this.#ssrc = opts.ssrc;
    this.#payloadType = opts.payloadType;
    this.#mtu = opts.mtu ?? 1200;
  }

  /** One frame's NAL units; the marker bit is set on the frame's last packet. */
  frame(units: Buffer[], timestamp: number, send: RtpSink): void {
    const payloads: Buffer[] = [];
    for (const unit of units) {
      if (unit.length <= this.#mtu) {
        payloads.push(unit);
        continue;
      }
      const indicator = ((unit[0] as number) & 0xe0) | 28;
      const type = nalType(unit);
      const body = unit.subarray(1);
      const step = this.#mtu - 2;
      for (let at = 0; at < body.length; at += step) {
        const first = at === 0;
        const last = at + step >= body.length;
        const header = (first ? 0x80 : 0) | (last ? 0x40 : 0) | type;
        payloads.push(Buffer.concat([Buffer.from([indicator, header]), body.subarray(at, at + step)]));
      }
    }
    payloads.forEach((payload, index) => {
      send(this.#packet(payload, timestamp, index === payloads.length - 1));
    });
  }

  #packet(payload: Buffer, timestamp: number, marker: boolean): Buffer {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (marker ? 0x80 : 0) | this.#payloadType;
    header.writeUInt16BE(this.#sequence, 2);
    header.writeUInt32BE(timestamp >>> 0, 4);
    header.writeUInt32BE(this.#ssrc >>> 0, 8);
    this.#sequence = (this.#sequence + 1) & 0xffff;
    return Buffer.concat([header, payload]);
  }
}

/** The RTP parameters of a plain producer our packetizer feeds (Constrained Baseline 3.1 declared, any level accepted). */
export function h264RtpParameters(payloadType: number, ssrc: number) {
  return {
    codecs: [
      {
        mimeType: 'video/H264' as const,
        payloadType,
        clockRate: 90_000,
        parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
        // mediasoup asks a producer's sender for key frames only in the ways its codec lists: with these
        // it does (traced, and turned into the device's IFameCmd by LiveView); without, never.
        rtcpFeedback: [
          { type: 'nack', parameter: 'pli' },
          { type: 'ccm', parameter: 'fir' },
        ],
      },
    ],
    encodings: [{ ssrc }],
  };
}

/** The payload of an RTP packet (after CSRCs and a header extension, before padding); null if it is not RTP. */
export function rtpPayload(packet: Buffer): Buffer | null {
  if (packet.length < 12 || (packet[0] as number) >> 6 !== 2) return null;
  let offset = 12 + ((packet[0] as number) & 0x0f) * 4;
  if ((packet[0] as number) & 0x10) {
    if (packet.length < offset + 4) return null;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if ((packet[0] as number) & 0x20) end -= packet[packet.length - 1] as number;
  return offset < end ? packet.subarray(offset, end) : null;
}
