/**
 * Kannel's fake SMS centre client (`fakesmsc`, Debian's kannel-extras) as a
 * test peer: it connects to bearerbox's fake SMSC, prints every text Kannel
 * sends (MT) and sends what we write to its stdin (interactive mode) as a
 * phone's text (MO).
 *
 * What it prints for an MT (on stderr, Kannel's log format):
 *   `Got message 3: <12379 13800000001 udh %05%00%03%2A%02%01 data 0%10iZ…>`
 * — sender, receiver, the UDH (concatenation: ref, total, sequence) and the
 * payload, URL-encoded bytes ('+' a space); single texts carry `ucs-2`, `data` or
 * `text` without a UDH. `reassemble` joins the parts of each concatenated text
 * and decodes them as UCS-2 (UTF-16BE).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createInterface } from 'node:readline';

export const FAKESMSC = '/usr/lib/kannel/test/fakesmsc';

export function fakesmscAvailable(): boolean {
  try {
    accessSync(FAKESMSC, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** One SMS part as the SMSC got it. */
export interface MtPart {
  from: string;
  to: string;
  udh: Buffer | null;
  data: Buffer;
}

/** One text, its parts joined in order and decoded as UCS-2. */
export interface MtText {
  to: string;
  parts: number;
  text: string;
}

/** Kannel's octstr URL encoding back to bytes ('+' is a space, %XX a byte, the rest as is). */
export function urlBytes(encoded: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded[i] as string;
    if (c === '+') out.push(0x20);
    else if (c === '%' && /^[0-9a-fA-F]{2}$/.test(encoded.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(...Buffer.from(c, 'latin1'));
  }
  return Buffer.from(out);
}

/** Parses fakesmsc's "Got message N: <…>" line; null for other lines. */
export function parseMtLine(line: string): MtPart | null {
  const m = /Got message \d+: <(\S+) (\S+) (udh (\S+) (?:data |ucs-2 )?(\S*)|(?:data|ucs-2) (\S*)|text (.*))>$/.exec(
    line,
  );
  if (!m) return null;
  const [, from = '', to = ''] = m;
  if (m[4] !== undefined) return { from, to, udh: urlBytes(m[4]), data: urlBytes(m[5] ?? '') };
  if (m[6] !== undefined) return { from, to, udh: null, data: urlBytes(m[6]) };
  return { from, to, udh: null, data: Buffer.from(m[7] ?? '', 'latin1') };
}

const ucs2 = (bytes: Buffer) => Buffer.from(bytes).swap16().toString('utf16le');

/**
 * Joins concatenated parts (UDH IE 0x00: 8-bit reference, total, sequence) per receiver and reference;
 * texts whose parts are not all there yet are left out.
 */
export function reassemble(parts: readonly MtPart[]): MtText[] {
  const texts: MtText[] = [];
  const groups = new Map<string, { to: string; total: number; bySeq: Map<number, Buffer> }>();
  for (const part of parts) {
    const udh = part.udh;
    // UDH: length, IE id 0x00 (concatenation, 8-bit ref), IE length 3, ref, total, sequence.
    if (!udh || udh.length < 6 || udh[1] !== 0x00) {
      texts.push({ to: part.to, parts: 1, text: ucs2(part.data) });
      continue;
    }
    const key = `${part.to}/${udh[3]}`;
    const group = groups.get(key) ?? { to: part.to, total: udh[4] as number, bySeq: new Map() };
    group.bySeq.set(udh[5] as number, part.data);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    if (group.bySeq.size !== group.total) continue;
    const ordered = [...group.bySeq.entries()].sort(([a], [b]) => a - b).map(([, data]) => data);
    texts.push({ to: group.to, parts: group.total, text: ucs2(Buffer.concat(ordered)) });
  }
  return texts;
}

export class FakeSmsc {
  readonly received: MtPart[] = [];
  readonly #child: ChildProcessWithoutNullStreams;
  #exited = false;

  /** Connects to bearerbox's fake SMSC on `port` (it must be listening). */
  constructor(port: number) {
    this.#child = spawn(FAKESMSC, ['-H', '127.0.0.1', '-r', String(port)], { stdio: 'pipe' });
    this.#child.on('exit', () => {
      this.#exited = true;
    });
    createInterface({ input: this.#child.stderr }).on('line', (line) => {
      const part = parseMtLine(line);
      if (part) this.received.push(part);
    });
    // Interactive mode echoes nothing useful on stdout; drain it.
    this.#child.stdout.resume();
  }

  /**
   * Connects once bearerbox listens: fakesmsc gives up at once (a PANIC and exit) when nothing listens yet,
   * so it is started again until it stays up.
   */
  static async connect(port: number, timeoutMs = 30_000): Promise<FakeSmsc> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const smsc = new FakeSmsc(port);
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (smsc.running) return smsc;
      if (Date.now() > deadline) throw new Error(`fakesmsc could not connect to 127.0.0.1:${port}`);
    }
  }

  get running(): boolean {
    return !this.#exited;
  }

  /** The complete texts received so far. */
  texts(): MtText[] {
    return reassemble(this.received);
  }

  /**
   * A phone's text to Kannel, sent as UCS-2 (what a Chinese phone sends). fakesmsc acts on a line only when its
   * own read brings it: a second line that arrived in the same read waits for the next input. So lines go one
   * at a time, 300 ms apart.
   */
  send(from: string, to: string, text: string): void {
    const bytes = Buffer.from(text, 'utf16le').swap16();
    const encoded = [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    const line = `${from} ${to} ucs2 ${encoded}\n`;
    this.#writes = this.#writes.then(async () => {
      this.#child.stdin.write(line);
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
  }

  #writes: Promise<void> = Promise.resolve();

  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGTERM');
    await exited;
  }
}
