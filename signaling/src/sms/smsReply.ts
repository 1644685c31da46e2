/**
 * Replies from phones (Kannel's MO messages): the text as Kannel hands it
 * over, and whether it acknowledges a warning.
 */

/**
 * What acknowledges, after folding: 1, 收到 (the text asks for these), and the
 * few ways people actually write them (已收到, 收到了, 签收, 已签收). Anything
 * else is kept as a reply for the duty officer to read, never taken as an ack:
 * "收到，但桥已冲毁" needs a person, not a tick.
 */
const ACK_REPLIES: ReadonlySet<string> = new Set(['1', '收到', '已收到', '收到了', '签收', '已签收']);

/** NFKC (full-width １ is 1), then spaces and punctuation at either end dropped. */
export function foldReply(text: string): string {
  return text
    .normalize('NFKC')
    .trim()
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '');
}

export function isAckReply(text: string): boolean {
  return ACK_REPLIES.has(foldReply(text));
}

/**
 * The text of an MO message from Kannel's `%e` (its bytes as hex) and `%C`
 * (their charset): UCS-2 texts come as UTF-16BE, 7-bit ones as UTF-8 (Kannel
 * converts GSM 7-bit itself); WINDOWS-1252 only when mo-recode is on (it is not).
 */
export function decodeKannelText(hex: string, charset: string): string {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new TypeError('not hexadecimal bytes');
  const bytes = Buffer.from(hex, 'hex');
  switch (charset.toUpperCase()) {
    case 'UTF-16BE':
    case 'UTF-16':
    case 'UCS-2':
    case 'UCS2': {
      const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
      return Buffer.from(even).swap16().toString('utf16le');
    }
    case 'WINDOWS-1252':
    case 'ISO-8859-1':
      return bytes.toString('latin1');
    default:
      return bytes.toString('utf8');
  }
}
