/**
 * baresip 1.0 (Debian baresip-core) as a real desk phone for tests: its own config
 * directory, SIP on loopback, G.711 (or G.722 — its g722 module, spandsp's codec),
 * audio from a WAV file (aufile), what it hears recorded to WAV (sndfile), driven
 * over ctrl_tcp (netstring JSON).
 *
 * Measured facts about this baresip that shape the code:
 * - No sound card is needed: `aubridge` is a player that never touches ALSA, and
 *   sndfile dumps decoded audio in the receive path, before any player.
 * - sip_listen P binds UDP+TCP P and TLS on P+1; all three must be free.
 * - ctrl_tcp sends events only to a connected client, so the account is added with
 *   `uanew` after connecting: REGISTER_OK cannot fire before we listen.
 * - aufile ends the call ("end of file") when its file runs out, so the source is
 *   looped with sox to `maxCallSeconds`.
 * - sndfile writes `dump-<local time to the second>-dec.wav` (heard) and `-enc.wav`
 *   (sent) per call: two calls starting in the same second share a file name. The
 *   file grows only while RTP arrives (no silence is written for gaps).
 * - sndfile stops writing the heard audio at the first re-INVITE of a call (hold,
 *   resume, or one from the far end): RTP keeps flowing, the recording does not.
 *   Record what you need before any re-INVITE, or in a fresh call.
 * - DTMF is sent as RFC 4733 telephone-events only (no SIP INFO sending in 1.0);
 *   a holding phone sends no RTP at all, telephone-events included.
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePortBlock } from './ports.ts';
import { readWav } from './wavAnalysis.ts';

const run = promisify(execFile);

export interface BaresipOptions {
  /** SIP user part, also the digest user. */
  extension: string;
  password?: string;
  /** Register here (regint 60); null/absent: no registration, for direct peer-to-peer calls. */
  registrar?: { host: string; port: number } | null;
  /** Any WAV sox reads; converted to 8 kHz (16 kHz for G.722) mono and looped to `maxCallSeconds`. */
  sourceWav: string;
  /** Where sndfile writes the call recordings (kept after stop). */
  recordDir: string;
  /** Only 'rtpevent' (RFC 4733): baresip 1.0 cannot send SIP INFO DTMF. */
  dtmfMode?: 'rtpevent' | 'info';
  /** Answer incoming calls at once (default false: use accept()). */
  autoAnswer?: boolean;
  /** Longest call the looped source supports before baresip hangs up with "end of file" (default 300). */
  maxCallSeconds?: number;
  /**
   * Codecs offered, in order (default PCMU, PCMA). With G722 first the phone is
   * wideband: it sends and records 16 kHz audio.
   */
  codecs?: ('PCMU' | 'PCMA' | 'G722')[];
  /**
   * A SIP video terminal (Debian's baresip-ffmpeg): H.264 by avcodec (libx264, constrained baseline, offered in
   * packetization modes 0 and 1, then H.263, MPEG-4 and H.265: baresip 1.0's `video_codecs` would keep only the
   * first H264, mode 0), video read from this file by avformat, what it receives decoded and
   * dropped (vidbridge), with snapshots of the decoded picture on request (snapshot module).
   */
  video?: { sourceFile: string; bitrate?: number };
}

export interface BaresipPhone {
  readonly sipPort: number;
  readonly process: ChildProcess;
  /** Resolves on REGISTER_OK; rejects on REGISTER_FAIL (with baresip's reason) or timeout. */
  waitRegistered(timeoutMs?: number): Promise<void>;
  dial(uri: string): Promise<void>;
  /** Answers a ringing incoming call (when not autoAnswer). */
  accept(): Promise<void>;
  /** Waits for the current call (the dialled one, or the next incoming) to be established. */
  waitEstablished(timeoutMs?: number): Promise<void>;
  sendDtmf(digits: string): Promise<void>;
  /** Digits received as telephone-events or SIP INFO, in order. */
  receivedDtmf(): string;
  /** Each resolves when the peer has answered the re-INVITE. */
  hold(): Promise<void>;
  resume(): Promise<void>;
  hangup(): Promise<void>;
  /** Waits for the latest call to close; resolves with baresip's reason. */
  waitClosed(timeoutMs?: number): Promise<string>;
  /** Recordings of what this phone heard (`*-dec.wav`), oldest first. */
  recordedWavs(): string[];
  /** What it sent (`*-enc.wav`), oldest first. */
  sentWavs(): string[];
  kill(signal?: NodeJS.Signals): void;
  stop(): Promise<void>;
  /** baresip's output without colour codes and status lines, for failure messages. */
  log(): string;
  /** Video terminals: writes the last decoded picture it received as a PNG; resolves once written. */
  snapshotReceived(path: string, timeoutMs?: number): Promise<void>;
}

export class BaresipError extends Error {
  constructor(
    readonly code: 'timeout' | 'register_failed' | 'call_closed' | 'command_failed' | 'exited' | 'start_failed',
    message: string,
  ) {
    super(message);
    this.name = 'BaresipError';
  }
}

/** Why baresip cannot run here, or null. */
export function baresipUnavailableReason(): string | null {
  if (!existsSync('/usr/bin/baresip')) return 'baresip is not installed (apt-get install baresip-core)';
  if (!existsSync('/usr/lib/baresip/modules/ctrl_tcp.so')) return 'baresip has no ctrl_tcp module';
  if (!existsSync('/usr/bin/sox')) return 'sox is not installed (apt-get install sox)';
  return null;
}

/** Why baresip cannot be a video terminal here, or null. */
export function baresipVideoUnavailableReason(): string | null {
  const modules = ['avcodec', 'avformat', 'vidbridge', 'snapshot'];
  const missing = modules.filter((name) => !existsSync(`/usr/lib/baresip/modules/${name}.so`));
  if (missing.length > 0) return `baresip has no ${missing.join(', ')} (apt-get install baresip-ffmpeg)`;
  return baresipUnavailableReason();
}

interface CallRecord {
  id: string;
  state: 'incoming' | 'ringing' | 'established' | 'closed';
  reason: string;
  sdpAnswers: number;
}

interface BaresipEvent {
  type: string;
  id?: string;
  param?: string;
}

type Check<T> = () => { done: T } | { fail: string } | null;

const LOG_LIMIT = 512 * 1024;
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/**
 * baresip's SIP port (UDP and TCP) and the TLS port above it: a block of two, free on both, outside the
 * kernel's ephemeral range (where an outgoing connection may take it between the check and baresip's bind).
 */
function pickSipPort(): Promise<number> {
  return freePortBlock(2);
}

async function pickTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function videoConfig(video: BaresipOptions['video']): string[] {
  if (!video) return [];
  if (/[\s,]/.test(video.sourceFile)) throw new TypeError(`video source path must not hold spaces or commas`);
  return [
    `video_source avformat,${video.sourceFile}`,
    'video_display vidbridge,nil',
    `video_bitrate ${video.bitrate ?? 500_000}`,
    'video_fps 15',
    'module avcodec.so',
    'module avformat.so',
    'module vidbridge.so',
    'module snapshot.so',
  ];
}

function configText(
  dir: string,
  sipPort: number,
  ctrlPort: number,
  recordDir: string,
  codecs: string[],
  video?: BaresipOptions['video'],
): string {
  const rate = sourceRate(codecs);
  return [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${sipPort}`,
    'net_interface 127.0.0.1',
    'call_local_timeout 120',
    'call_max_calls 4',
    `audio_source aufile,${join(dir, 'source.wav')}`,
    // aubridge without a matching source is a sink that needs no sound card.
    'audio_player aubridge,nil',
    'audio_alert aubridge,nil',
    `ausrc_srate ${rate}`,
    'ausrc_channels 1',
    `auplay_srate ${rate}`,
    'auplay_channels 1',
    'statmode_default off',
    'jitter_buffer_delay 5-10',
    'module_path /usr/lib/baresip/modules',
    'module g711.so',
    ...(codecs.includes('G722') ? ['module g722.so'] : []),
    'module aufile.so',
    'module aubridge.so',
    'module sndfile.so',
    ...videoConfig(video),
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
    `snd_path ${recordDir}`,
    '',
  ].join('\n');
}

function accountLine(opts: BaresipOptions, sipPort: number): string {
  const { extension, password, registrar } = opts;
  const aor = registrar
    ? `sip:${extension}@${registrar.host}:${registrar.port};transport=udp`
    : `sip:${extension}@127.0.0.1:${sipPort}`;
  // baresip takes a bare name as name/8000/1: G.722 must be named with its 16 kHz audio rate.
  const codecs = (opts.codecs ?? ['PCMU', 'PCMA']).map((c) => (c === 'G722' ? 'G722/16000/1' : c)).join(',');
  const params = [`regint=${registrar ? 60 : 0}`, `audio_codecs=${codecs}`, 'ptime=20'];
  params.push(`answermode=${opts.autoAnswer ? 'auto' : 'manual'}`);
  if (password !== undefined) params.push(`auth_user=${extension}`, `auth_pass=${password}`);
  return `<${aor}>;${params.join(';')}`;
}

/** 16 kHz for a wideband (G.722-first) phone, else 8 kHz. */
function sourceRate(codecs: readonly string[]): number {
  return codecs[0] === 'G722' ? 16_000 : 8000;
}

export async function startBaresip(opts: BaresipOptions): Promise<BaresipPhone> {
  if (!/^[\w.+-]+$/.test(opts.extension)) throw new TypeError(`bad extension "${opts.extension}"`);
  if (opts.dtmfMode === 'info') throw new TypeError('baresip 1.0 sends DTMF only as RFC 4733 events, not SIP INFO');
  if (opts.password !== undefined && !/^[\w.+!~*-]*$/.test(opts.password)) {
    throw new TypeError('password must be URI-parameter safe');
  }
  const unavailable = baresipUnavailableReason();
  if (unavailable) throw new BaresipError('start_failed', unavailable);

  const dir = await mkdtemp(join(tmpdir(), 'beacon-baresip-'));
  try {
    const source = await readWav(opts.sourceWav);
    const repeats = Math.ceil((opts.maxCallSeconds ?? 300) / Math.max(0.02, source.durationSeconds));
    await run('sox', [
      opts.sourceWav,
      '-r',
      String(sourceRate(opts.codecs ?? [])),
      '-c',
      '1',
      '-b',
      '16',
      join(dir, 'source.wav'),
      'repeat',
      `${repeats}`,
    ]);
    await writeFile(join(dir, 'accounts'), '');
    // Ports are probed then released: another process may take one first, so retry.
    for (let attempt = 1; ; attempt++) {
      const sipPort = await pickSipPort();
      const ctrlPort = await pickTcpPort();
      const config = configText(dir, sipPort, ctrlPort, opts.recordDir, opts.codecs ?? [], opts.video);
      await writeFile(join(dir, 'config'), config);
      const phone = new Phone(dir, sipPort, ctrlPort, opts);
      try {
        await phone.start(accountLine(opts, sipPort));
        return phone;
      } catch (error) {
        phone.kill('SIGKILL');
        if (attempt >= 3 || !phone.log().includes('Address already in use')) throw error;
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

class Phone implements BaresipPhone {
  readonly process: ChildProcess;
  private output = '';
  private readonly calls: CallRecord[] = [];
  private dtmf = '';
  private registration: { ok: boolean; reason: string } | null = null;
  private dialMark: number | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly pending = new Map<string, { resolve: (data: string) => void; reject: (e: Error) => void }>();
  private nextToken = 1;
  private ctrl: Socket | null = null;
  private exited = false;

  constructor(
    private readonly dir: string,
    readonly sipPort: number,
    private readonly ctrlPort: number,
    private readonly opts: BaresipOptions,
  ) {
    this.process = spawn('baresip', ['-f', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const append = (chunk: Buffer) => {
      // Strip colours; drop the \r-refreshed status line if statmode is ever on.
      const text = chunk
        .toString()
        .replace(ANSI_COLOUR, '')
        .replace(/\[\d+:\d\d:\d\d\][^\r\n]*\r/g, '');
      this.output = (this.output + text).slice(-LOG_LIMIT);
      this.notify();
    };
    this.process.stdout?.on('data', append);
    this.process.stderr?.on('data', append);
    this.process.once('exit', (code, signal) => {
      this.exited = true;
      for (const { reject } of this.pending.values())
        reject(new BaresipError('exited', `baresip exited (${code ?? signal})`));
      this.pending.clear();
      this.notify();
    });
  }

  async start(account: string): Promise<void> {
    await this.waitFor(() => (this.output.includes('baresip is ready.') ? { done: true } : null), 10_000, 'startup');
    const socket = tcpConnect(this.ctrlPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.ctrl = socket;
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const colon = buf.indexOf(0x3a);
        if (colon < 0) break;
        const length = Number(buf.subarray(0, colon).toString());
        if (buf.length < colon + length + 2) break;
        this.handleMessage(JSON.parse(buf.subarray(colon + 1, colon + 1 + length).toString()));
        buf = buf.subarray(colon + length + 2);
      }
    });
    socket.on('error', () => {});
    await this.command('uanew', account);
  }

  private handleMessage(msg: Record<string, unknown>): void {
    if (msg.response === true) {
      const waiter = this.pending.get(String(msg.token));
      this.pending.delete(String(msg.token));
      if (msg.ok === true) waiter?.resolve(String(msg.data ?? ''));
      else waiter?.reject(new BaresipError('command_failed', String(msg.data ?? 'failed').trim()));
      return;
    }
    if (msg.event === true) this.handleEvent(msg as unknown as BaresipEvent);
  }

  private handleEvent(event: BaresipEvent): void {
    const param = event.param ?? '';
    if (event.type === 'REGISTER_OK') this.registration = { ok: true, reason: param };
    if (event.type === 'REGISTER_FAIL') this.registration = { ok: false, reason: param };
    if (event.type === 'CALL_DTMF_START') this.dtmf += param;
    if (event.id) {
      let call = this.calls.find((c) => c.id === event.id);
      if (!call) {
        call = { id: event.id, state: 'ringing', reason: '', sdpAnswers: 0 };
        this.calls.push(call);
      }
      if (event.type === 'CALL_INCOMING') call.state = 'incoming';
      if (event.type === 'CALL_ESTABLISHED') call.state = 'established';
      if (event.type === 'CALL_CLOSED') Object.assign(call, { state: 'closed', reason: param });
      if (event.type === 'CALL_REMOTE_SDP' && param === 'answer') call.sdpAnswers++;
    }
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private waitFor<T>(check: Check<T>, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const finish = (error: Error | null, value?: T) => {
        clearTimeout(timer);
        this.waiters.delete(evaluate);
        if (error) reject(error);
        else resolve(value as T);
      };
      const evaluate = () => {
        const result = check();
        if (result && 'done' in result) finish(null, result.done);
        else if (result)
          finish(new BaresipError(what === 'registration' ? 'register_failed' : 'call_closed', result.fail));
        else if (this.exited)
          finish(new BaresipError('exited', `baresip exited while waiting for ${what}:\n${this.tail()}`));
      };
      const timer = setTimeout(() => {
        finish(
          new BaresipError('timeout', `${this.opts.extension}: no ${what} within ${timeoutMs} ms:\n${this.tail()}`),
        );
      }, timeoutMs);
      this.waiters.add(evaluate);
      evaluate();
    });
  }

  private command(name: string, params = ''): Promise<string> {
    if (!this.ctrl || this.exited) return Promise.reject(new BaresipError('exited', 'baresip is not running'));
    // ctrl_tcp copies "command params" into a 256-byte buffer and truncates silently.
    if (name.length + params.length > 250) return Promise.reject(new TypeError(`command too long: ${name} ${params}`));
    const token = String(this.nextToken++);
    const json = JSON.stringify({ command: name, params, token });
    return new Promise((resolve, reject) => {
      this.pending.set(token, { resolve, reject });
      this.ctrl?.write(`${Buffer.byteLength(json)}:${json},`);
    });
  }

  waitRegistered(timeoutMs = 10_000): Promise<void> {
    return this.waitFor(
      () =>
        this.registration ? (this.registration.ok ? { done: undefined } : { fail: this.registration.reason }) : null,
      timeoutMs,
      'registration',
    );
  }

  async dial(uri: string): Promise<void> {
    this.dialMark = this.calls.length;
    await this.command('dial', uri);
  }

  async accept(): Promise<void> {
    await this.command('accept');
  }

  waitEstablished(timeoutMs = 10_000): Promise<void> {
    const live = this.calls.findIndex((c) => c.state !== 'closed');
    const from = this.dialMark ?? (live >= 0 ? live : this.calls.length);
    return this.waitFor(
      () => {
        const call = this.calls.slice(from).at(-1);
        if (call?.state === 'established') return { done: undefined };
        return call?.state === 'closed' ? { fail: `call closed: ${call.reason}` } : null;
      },
      timeoutMs,
      'established call',
    ).finally(() => {
      this.dialMark = null;
    });
  }

  async sendDtmf(digits: string): Promise<void> {
    if (!/^[0-9*#A-D]+$/.test(digits)) throw new TypeError(`bad DTMF digits "${digits}"`);
    await this.command('sndcode', digits);
  }

  receivedDtmf(): string {
    return this.dtmf;
  }

  hold(): Promise<void> {
    return this.reinvite('hold');
  }

  resume(): Promise<void> {
    return this.reinvite('resume');
  }

  private async reinvite(name: 'hold' | 'resume'): Promise<void> {
    const call = this.calls.at(-1);
    if (call?.state !== 'established') throw new BaresipError('call_closed', `${name}: no established call`);
    const before = call.sdpAnswers;
    await this.command(name);
    try {
      await this.waitFor(() => (call.sdpAnswers > before ? { done: undefined } : null), 5_000, `${name} answer`);
    } catch {
      // baresip 1.0 now and then drops a hold/resume command given right after the previous
      // re-INVITE completed (seen under load): ask once more before calling it a failure.
      await this.command(name);
      await this.waitFor(() => (call.sdpAnswers > before ? { done: undefined } : null), 10_000, `${name} answer`);
    }
  }

  async hangup(): Promise<void> {
    await this.command('hangup');
  }

  waitClosed(timeoutMs = 10_000): Promise<string> {
    const call = this.calls.at(-1);
    if (!call) return Promise.reject(new BaresipError('call_closed', 'waitClosed: there was no call'));
    return this.waitFor(() => (call.state === 'closed' ? { done: call.reason } : null), timeoutMs, 'call close');
  }

  private recordings(suffix: string): string[] {
    if (!existsSync(this.opts.recordDir)) return [];
    // Names embed the local time, so lexical order is chronological.
    return readdirSync(this.opts.recordDir)
      .sort()
      .filter((name) => name.startsWith('dump-') && name.endsWith(suffix))
      .map((name) => join(this.opts.recordDir, name));
  }

  recordedWavs(): string[] {
    return this.recordings('-dec.wav');
  }

  sentWavs(): string[] {
    return this.recordings('-enc.wav');
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited) this.process.kill(signal);
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      // quit hangs up calls first, so sndfile closes its recordings properly.
      this.command('quit').catch(() => {});
      const term = setTimeout(() => this.kill('SIGTERM'), 5_000);
      const kill = setTimeout(() => this.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
    }
    this.ctrl?.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }

  log(): string {
    return this.output;
  }

  async snapshotReceived(path: string, timeoutMs = 10_000): Promise<void> {
    if (!/^[\w./-]+$/.test(path)) throw new TypeError(`bad snapshot path "${path}"`);
    await this.command('snapshot_recv', path);
    // The snapshot filter writes on the next decoded frame: none arrives while nothing is decoded. Use a
    // new path each time (the log is matched by it).
    await this.waitFor(
      () => (this.output.includes(`png: wrote ${path}`) ? { done: undefined } : null),
      timeoutMs,
      `a decoded picture written to ${path}`,
    );
  }

  private tail(): string {
    return this.output.split('\n').slice(-30).join('\n');
  }
}
