/**
 * G.711 µ-law (PCMU) and A-law (PCMA), ITU-T G.711, by lookup tables.
 *
 * The mixer encodes one frame per phone every 20 ms and decodes one, so both
 * directions are a single table read per sample: 64 KiB tables indexed by the
 * 16-bit sample's bit pattern, 256-entry tables for decoding, built once when
 * the module loads (about a millisecond).
 */
export type G711Codec = 'PCMU' | 'PCMA';

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32_635;

function ulawEncodeSample(input: number): number {
  let sample = input;
  const sign = sample < 0 ? 0x80 : 0;
  if (sign) sample = -sample;
  if (sample > ULAW_CLIP) sample = ULAW_CLIP;
  sample += ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (sample & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (sample >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function ulawDecodeByte(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

function alawEncodeSample(input: number): number {
  // A-law works on 13 bits; negative values are coded as one's complement.
  let value = input >> 3;
  let mask: number;
  if (value >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    value = -value - 1;
  }
  let segment = 0;
  while (segment < 8 && value > (0x20 << segment) - 1) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (value >> 1) & 0x0f : (value >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

function alawDecodeByte(byte: number): number {
  const a = byte ^ 0x55;
  let magnitude = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) magnitude += 8;
  else magnitude = (magnitude + 0x108) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const ULAW_ENCODE = new Uint8Array(65_536);
const ALAW_ENCODE = new Uint8Array(65_536);
for (let bits = 0; bits < 65_536; bits++) {
  const sample = bits >= 32_768 ? bits - 65_536 : bits;
  ULAW_ENCODE[bits] = ulawEncodeSample(sample);
  ALAW_ENCODE[bits] = alawEncodeSample(sample);
}
const ULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);
const ALAW_TO_ULAW = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) {
  ULAW_DECODE[byte] = ulawDecodeByte(byte);
  ALAW_DECODE[byte] = alawDecodeByte(byte);
}
for (let byte = 0; byte < 256; byte++)
  ALAW_TO_ULAW[byte] = ULAW_ENCODE[(ALAW_DECODE[byte] as number) & 0xffff] as number;

/** Encodes `pcm` into `out` starting at `offset` (no allocation: the mixer's hot path). */
export function g711EncodeInto(codec: G711Codec, pcm: Int16Array, out: Uint8Array, offset = 0): void {
  const table = codec === 'PCMU' ? ULAW_ENCODE : ALAW_ENCODE;
  for (let i = 0; i < pcm.length; i++) out[offset + i] = table[(pcm[i] as number) & 0xffff] as number;
}

/** Decodes `payload` into `out` starting at `offset`; returns the number of samples written. */
export function g711DecodeInto(codec: G711Codec, payload: Uint8Array, out: Int16Array, offset = 0): number {
  const table = codec === 'PCMU' ? ULAW_DECODE : ALAW_DECODE;
  const count = Math.min(payload.length, out.length - offset);
  for (let i = 0; i < count; i++) out[offset + i] = table[payload[i] as number] as number;
  return count;
}

export function g711Encode(codec: G711Codec, pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  g711EncodeInto(codec, pcm, out);
  return out;
}

export function g711Decode(codec: G711Codec, payload: Uint8Array): Int16Array {
  const out = new Int16Array(payload.length);
  g711DecodeInto(codec, payload, out);
  return out;
}

export function ulawEncode(pcm: Int16Array): Buffer {
  return g711Encode('PCMU', pcm);
}

export function ulawDecode(payload: Buffer): Int16Array {
  return g711Decode('PCMU', payload);
}

export function alawEncode(pcm: Int16Array): Buffer {
  return g711Encode('PCMA', pcm);
}

export function alawDecode(payload: Buffer): Int16Array {
  return g711Decode('PCMA', payload);
}

/**
 * A-law payload → µ-law payload byte by byte (the uplink to mediasoup is
 * always PCMU), without a trip through 16-bit PCM.
 */
export function alawToUlaw(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = ALAW_TO_ULAW[payload[i] as number] as number;
  return out;
}

/** The byte both codecs use for digital silence (encode of 0). */
export function g711Silence(codec: G711Codec): number {
  return codec === 'PCMU' ? 0xff : 0xd5;
}
