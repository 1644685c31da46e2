/**
 * The few RTCP packets a video leg relays (RFC 4585, RFC 5104): key-frame
 * requests — Picture Loss Indication (PSFB FMT 1) and Full Intra Request
 * (PSFB FMT 4) — found in a compound packet, and built to send. Anything else
 * in RTCP (reports, NACK, REMB) is not ours to relay: mediasoup and the
 * terminal each keep their own reports.
 */

const RTCP_PSFB = 206;
const FMT_PLI = 1;
const FMT_FIR = 4;

/** RTP or RTCP on one muxed port: RTCP packet types 192–223 sit where RTP has marker + payload type (RFC 5761). */
export function isRtcp(packet: Buffer): boolean {
  if (packet.length < 8 || packet[0] === undefined || packet[0] >> 6 !== 2) return false;
  const type = packet[1] ?? 0;
  return type >= 192 && type <= 223;
}

/** True when a (compound) RTCP packet asks for a key frame: a PLI or a FIR. */
export function asksForKeyFrame(packet: Buffer): boolean {
  let offset = 0;
  while (offset + 4 <= packet.length) {
    const first = packet[offset] ?? 0;
    if (first >> 6 !== 2) return false;
    const type = packet[offset + 1] ?? 0;
    const fmt = first & 0x1f;
    if (type === RTCP_PSFB && (fmt === FMT_PLI || fmt === FMT_FIR)) return true;
    const words = packet.readUInt16BE(offset + 2);
    offset += (words + 1) * 4;
  }
  return false;
}

export function buildPli(senderSsrc: number, mediaSsrc: number): Buffer {
  const packet = Buffer.alloc(12);
  packet[0] = 0x80 | FMT_PLI;
  packet[1] = RTCP_PSFB;
  packet.writeUInt16BE(2, 2);
  packet.writeUInt32BE(senderSsrc >>> 0, 4);
  packet.writeUInt32BE(mediaSsrc >>> 0, 8);
  return packet;
}

/** RFC 5104 §4.3.1: the media source field is 0, the FCI names the sender to refresh and a sequence number. */
export function buildFir(senderSsrc: number, mediaSsrc: number, sequence: number): Buffer {
  const packet = Buffer.alloc(20);
  packet[0] = 0x80 | FMT_FIR;
  packet[1] = RTCP_PSFB;
  packet.writeUInt16BE(4, 2);
  packet.writeUInt32BE(senderSsrc >>> 0, 4);
  packet.writeUInt32BE(0, 8);
  packet.writeUInt32BE(mediaSsrc >>> 0, 12);
  packet[16] = sequence & 0xff;
  return packet;
}
