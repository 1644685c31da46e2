/**
 * What an H.264 RTP payload (RFC 6184, packetization-mode 1) carries, as far
 * as key frames go: the NAL unit types of a single NAL unit packet, of each
 * unit in a STAP-A, or of the unit a FU-A starts. Enough to tell a key frame
 * (IDR, type 5) that arrives without its parameter sets (SPS 7, PPS 8): a
 * decoder cannot start from it, so the leg asks the terminal for a new one.
 */

export const NAL_IDR = 5;
export const NAL_SPS = 7;
export const NAL_PPS = 8;
const STAP_A = 24;
const FU_A = 28;

export function nalTypes(payload: Buffer): number[] {
  if (payload.length < 1) return [];
  const type = (payload[0] ?? 0) & 0x1f;
  if (type >= 1 && type <= 23) return [type];
  if (type === STAP_A) {
    const types: number[] = [];
    let offset = 1;
    while (offset + 2 < payload.length) {
      const size = payload.readUInt16BE(offset);
      if (size === 0 || offset + 2 + size > payload.length) break;
      types.push((payload[offset + 2] ?? 0) & 0x1f);
      offset += 2 + size;
    }
    return types;
  }
  if (type === FU_A && payload.length >= 2) {
    const header = payload[1] ?? 0;
    const start = (header & 0x80) !== 0;
    return start ? [header & 0x1f] : [];
  }
  return [];
}

/** The RTP payload of a packet (after CSRCs and a header extension), or null when the packet is short. */
export function rtpPayload(packet: Buffer): Buffer | null {
  if (packet.length < 12) return null;
  const first = packet[0] ?? 0;
  let offset = 12 + (first & 0x0f) * 4;
  if ((first & 0x10) !== 0) {
    if (packet.length < offset + 4) return null;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if ((first & 0x20) !== 0) end -= packet[packet.length - 1] ?? 0;
  return offset <= end ? packet.subarray(offset, end) : null;
}
