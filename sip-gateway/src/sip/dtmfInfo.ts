/**
 * Digits carried by SIP INFO, the way desk phones send them when RFC 4733
 * events are off: `application/dtmf-relay` (`Signal=5\r\nDuration=160`) or
 * `application/dtmf` (the bare digit). Returns null for anything else.
 */
const DIGIT = /^[0-9*#A-Da-d]$/;

export function parseDtmfInfo(contentType: string | undefined, body: string): string | null {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  let digit: string | undefined;
  if (type === 'application/dtmf-relay') {
    digit = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(body)?.[1];
  } else if (type === 'application/dtmf') {
    digit = body.trim();
  }
  if (digit === undefined) return null;
  // Some phones send the RFC 4733 event numbers instead: 10 is *, 11 is #.
  if (digit === '10') return '*';
  if (digit === '11') return '#';
  return DIGIT.test(digit) ? digit.toUpperCase() : null;
}
