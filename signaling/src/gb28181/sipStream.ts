/**
 * SIP over a byte stream (TCP, RFC 3261 §18.3): a message's end is where its
 * Content-Length says, so one TCP segment may carry several messages and one
 * message may arrive over several segments. Content-Length is mandatory on a
 * stream; without it (or with one past our size limit, or with bytes that are
 * not a SIP start line) there is no telling where the next message begins,
 * so the framer refuses with `sip_framing` and the caller closes the
 * connection. CRLFs between messages (RFC 5626 keepalive pings) are skipped.
 */
import { GbError } from './GbError.ts';
import { MAX_SIP_BYTES, parseSipMessage, type SipMessage } from './sipMessage.ts';

const CRLF = 0x0a;
const CR = 0x0d;
const START_LINE = /^(?:[A-Z]+ \S+ SIP\/2\.0|SIP\/2\.0 \d{3}(?: .*)?)$/;
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:/im;

export class SipStreamFramer {
  #buffer: Buffer = Buffer.alloc(0);

  /** Bytes received but not yet a whole message. */
  get pending(): number {
    return this.#buffer.length;
  }

  /** Adds bytes from the stream; returns the messages they complete, in order. Throws GbError `sip_framing`. */
  push(chunk: Buffer): SipMessage[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const messages: SipMessage[] = [];
    for (;;) {
      this.#skipBlankLines();
      const message = this.#next();
      if (!message) return messages;
      messages.push(message);
    }
  }

  #skipBlankLines(): void {
    let at = 0;
    while (at < this.#buffer.length && (this.#buffer[at] === CR || this.#buffer[at] === CRLF)) at += 1;
    if (at > 0) this.#buffer = this.#buffer.subarray(at);
  }

  #next(): SipMessage | null {
    const buffer = this.#buffer;
    if (buffer.length === 0) return null;
    const lineEnd = buffer.indexOf('\r\n');
    // Garbage shows in its first line: refuse it then rather than after buffering 64 KiB of it.
    if (lineEnd >= 0 && !START_LINE.test(buffer.subarray(0, lineEnd).toString('latin1'))) {
      throw new GbError(
        'sip_framing',
        `not a SIP start line: "${printable(buffer.subarray(0, Math.min(lineEnd, 60)))}"`,
      );
    }
    if (lineEnd < 0 && buffer.length > 1024) throw new GbError('sip_framing', 'no line end in the first 1024 bytes');
    const headEnd = buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) {
      if (buffer.length > MAX_SIP_BYTES)
        throw new GbError('sip_framing', `no end of headers in ${MAX_SIP_BYTES} bytes`);
      return null;
    }
    if (!CONTENT_LENGTH.test(buffer.subarray(0, headEnd).toString('latin1'))) {
      throw new GbError('sip_framing', 'no Content-Length on a stream transport');
    }
    let parsed: ReturnType<typeof parseSipMessage>;
    try {
      parsed = parseSipMessage(buffer);
    } catch (err) {
      throw new GbError('sip_framing', (err as Error).message, { cause: err });
    }
    if (!parsed) return null;
    if (parsed.size > MAX_SIP_BYTES) throw new GbError('sip_framing', `message of ${parsed.size} bytes is too large`);
    this.#buffer = buffer.subarray(parsed.size);
    return parsed.message;
  }
}

const printable = (bytes: Buffer) => bytes.toString('latin1').replace(/[^\x20-\x7e]/g, '?');
