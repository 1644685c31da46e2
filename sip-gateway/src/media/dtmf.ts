/**
 * Key presses from phones, two ways: RFC 4733 telephone-events in the RTP
 * stream (the usual way) and SIP INFO bodies (older phones and some PBX
 * trunks). Both end up as one character: '0'-'9', '*', '#', 'A'-'D'.
 */
import { performance } from 'node:perf_hooks';
import { TypedEmitter } from '@beacon/common';
import type { RtpPacket } from './rtp.ts';

const EVENT_DIGITS = '0123456789*#ABCD';

/** RFC 4733 event code (0–15) → digit; null for other events (flash, tones). */
export function digitForEvent(event: number): string | null {
  return EVENT_DIGITS[event] ?? null;
}

/** RFC 4733 event code for a digit, for building test and bench packets. */
export function eventForDigit(digit: string): number {
  const event = EVENT_DIGITS.indexOf(digit.toUpperCase());
  if (event < 0 || digit.length !== 1) throw new TypeError(`"${digit}" is not a DTMF digit`);
  return event;
}

export type DtmfReceiverEvents = { digit: [digit: string] };

/**
 * A replay of an identical press (SIPp plays the same pcap for each '1' of
 * a PIN like "1111#", timestamps and all) is told apart from the end
 * packet's retransmissions by what comes after the end: a packet that is
 * not an end packet, this long after it.
 */
const REPLAY_AFTER_END_MS = 100;

/**
 * One 'digit' per key press. A press is sent as many packets (one per
 * 50 ms while the key is held, then the end packet three times) that all
 * share the RTP timestamp of the press's start: that timestamp, with the
 * SSRC and event code, identifies the press. The digit is emitted on the
 * first packet seen, so a lost start packet costs nothing and the PIN
 * prompt reacts while the key is still down.
 */
export class DtmfReceiver extends TypedEmitter<DtmfReceiverEvents> {
  #lastKey: string | null = null;
  #endedAt: number | null = null;

  push(packet: RtpPacket): void {
    const payload = packet.payload;
    if (payload.length < 4) return;
    const event = payload[0] as number;
    const digit = digitForEvent(event);
    if (digit === null) return;
    const end = ((payload[1] as number) & 0x80) !== 0;
    const now = performance.now();
    const key = `${packet.ssrc}:${packet.timestamp}:${event}`;
    if (key === this.#lastKey) {
      const replay = !end && this.#endedAt !== null && now - this.#endedAt >= REPLAY_AFTER_END_MS;
      if (!replay) {
        if (end && this.#endedAt === null) this.#endedAt = now;
        return;
      }
    }
    this.#lastKey = key;
    this.#endedAt = end ? now : null;
    this.safeEmit('digit', digit);
  }
}

/**
 * The digit in a SIP INFO body, or null when the content type is not a DTMF
 * one or the body holds no digit. Understands `application/dtmf-relay`
 * ("Signal=5\r\nDuration=160") and `application/dtmf` ("5"); some phones
 * send the event codes 10 and 11 for '*' and '#'.
 */
export function dtmfFromSipInfo(contentType: string, body: string): string | null {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  let value: string | undefined;
  if (type === 'application/dtmf-relay') {
    value = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(body)?.[1];
  } else if (type === 'application/dtmf') {
    value = body.trim();
  } else {
    return null;
  }
  if (value === undefined || value === '') return null;
  if (/^\d{2}$/.test(value)) return digitForEvent(Number(value));
  return value.length === 1 && EVENT_DIGITS.includes(value.toUpperCase()) ? value.toUpperCase() : null;
}
