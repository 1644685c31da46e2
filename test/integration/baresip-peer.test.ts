/**
 * Validates the test peers before they are pointed at Kamailio and the gateway:
 * WAV analysis on sox-generated files, then two real baresip phones calling each
 * other directly over loopback (no registrar), each hearing the other's tone.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BaresipPhone, baresipUnavailableReason, startBaresip } from '../src/baresip.ts';
import { freeUdpPort } from '../src/ports.ts';
import {
  activeSeconds,
  dbfs,
  goertzel,
  parseWav,
  readWav,
  rms,
  segment,
  toneRatio,
  WavFormatError,
} from '../src/wavAnalysis.ts';

const run = promisify(execFile);
const unavailable = baresipUnavailableReason();
if (unavailable) console.warn(`baresip-peer tests skipped: ${unavailable}`);

/** Seconds of audio `phone` has heard in its current call (its recording grows only while RTP arrives). */
async function heardSeconds(phone: BaresipPhone): Promise<number> {
  const wav = phone.recordedWavs().at(-1);
  return wav ? ((await readWav(wav).catch(() => null))?.durationSeconds ?? 0) : 0;
}

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'beacon-peer-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function sox(name: string, args: string[]): Promise<string> {
  const path = join(workDir, name);
  await run('sox', ['-n', ...args.slice(0, -1), path, ...(args.at(-1) ?? '').split(' ')]);
  return path;
}

describe.skipIf(unavailable !== null)('wavAnalysis on sox-generated files', () => {
  it('reads a 440 Hz tone and finds it at 440, not at 1000', async () => {
    const wav = await readWav(await sox('a440.wav', ['-r', '8000', '-c', '1', '-b', '16', 'synth 1 sine 440 vol 0.5']));
    expect(wav.sampleRate).toBe(8000);
    expect(wav.channels).toBe(1);
    expect(wav.samples.length).toBe(8000);
    expect(rms(wav.samples)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    expect(dbfs(wav.samples)).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 1);
    expect(goertzel(wav.samples, 8000, 440)).toBeCloseTo(0.125, 2);
    expect(toneRatio(wav.samples, 8000, 440)).toBeGreaterThan(0.95);
    expect(toneRatio(wav.samples, 8000, 1000)).toBeLessThan(0.01);
    expect(activeSeconds(wav.samples, 8000)).toBeCloseTo(1, 1);
  });

  it('reads stereo 48 kHz with extra chunks before data and times activity', async () => {
    // 1 s of 1 kHz then 1 s of silence; a LIST chunk (comment) precedes the data chunk.
    const tone = await sox('t.wav', ['-r', '48000', '-c', '2', '-b', '16', 'synth 1 sine 1000 vol 0.3']);
    const path = join(workDir, 'stereo.wav');
    await run('sox', [tone, '--comment', 'beacon test', path, 'pad', '0', '1']);
    const wav = await readWav(path);
    expect(wav.sampleRate).toBe(48000);
    expect(wav.channels).toBe(2);
    expect(wav.durationSeconds).toBeCloseTo(2, 2);
    expect(activeSeconds(wav.samples, 48000, -30)).toBeCloseTo(1, 1);
    expect(toneRatio(segment(wav.samples, 48000, 0, 1), 48000, 1000)).toBeGreaterThan(0.95);
    expect(dbfs(segment(wav.samples, 48000, 1.1, 2))).toBe(Number.NEGATIVE_INFINITY);
  });

  it('reads a recording whose header was never finalised, and rejects non-PCM16', async () => {
    const path = await sox('n.wav', ['-r', '8000', '-c', '1', '-b', '16', 'synth 0.5 sine 700']);
    const { readFile } = await import('node:fs/promises');
    const buf = await readFile(path);
    const dataAt = buf.indexOf('data');
    buf.writeUInt32LE(0, dataAt + 4); // as a killed writer leaves it
    expect(parseWav(buf).samples.length).toBe(4000);
    const float = await sox('f.wav', [
      '-r',
      '8000',
      '-c',
      '1',
      '-e',
      'floating-point',
      '-b',
      '32',
      'synth 0.1 sine 700',
    ]);
    await expect(readWav(float)).rejects.toBeInstanceOf(WavFormatError);
    await writeFile(join(workDir, 'junk.wav'), 'not a wav');
    await expect(readWav(join(workDir, 'junk.wav'))).rejects.toThrow(/RIFF/);
  });
});

describe.skipIf(unavailable !== null)('two baresip phones over loopback', () => {
  let a: BaresipPhone;
  let b: BaresipPhone;

  beforeAll(async () => {
    const toneA = await sox('toneA.wav', ['-r', '8000', '-c', '1', '-b', '16', 'synth 2 sine 440 vol 0.5']);
    const toneB = await sox('toneB.wav', ['-r', '16000', '-c', '1', '-b', '16', 'synth 2 sine 1000 vol 0.5']);
    await mkdir(join(workDir, 'recA'));
    await mkdir(join(workDir, 'recB'));
    [a, b] = await Promise.all([
      startBaresip({ extension: 'a', sourceWav: toneA, recordDir: join(workDir, 'recA') }),
      startBaresip({ extension: 'b', sourceWav: toneB, recordDir: join(workDir, 'recB'), autoAnswer: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('calls, hears the other tone, sends DTMF, holds, resumes and hangs up', async () => {
    try {
      await a.dial(`sip:b@127.0.0.1:${b.sipPort}`);
      await Promise.all([a.waitEstablished(), b.waitEstablished()]);
      // About 2.5 s of talk both ways before anything re-INVITEs (the recordings stop there, see baresip.ts).
      for (const phone of [a, b]) {
        await expect.poll(() => heardSeconds(phone), { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(2.5);
      }
      await a.sendDtmf('123#');
      await expect.poll(() => b.receivedDtmf(), { timeout: 5000 }).toBe('123#');

      // The callee holds: as holder it must send no RTP, so its DTMF cannot reach A.
      await b.hold();
      await b.sendDtmf('7');
      // sndcode returns at once while baresip goes on "pressing" the key: the whole press must fall inside
      // the hold (resuming sooner lets its tail through, measured). Nothing signals that nothing arrived,
      // so this negative check keeps a window.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(a.receivedDtmf()).toBe('');
      // After resume, RTP flows both ways again (telephone-events prove it; the
      // recordings cannot, see baresip.ts: sndfile stops at the first re-INVITE).
      await b.resume();
      await b.sendDtmf('9');
      await a.sendDtmf('0');
      await expect.poll(() => a.receivedDtmf(), { timeout: 5000 }).toBe('9');
      await expect.poll(() => b.receivedDtmf(), { timeout: 5000 }).toBe('123#0');

      await a.hangup();
      expect(await a.waitClosed()).toMatch(/reset by user/i);
      expect(await b.waitClosed()).toMatch(/reset by peer/i);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\n--- A ---\n${a.log().slice(-3000)}\n--- B ---\n${b.log().slice(-3000)}`,
      );
    }

    expect(a.recordedWavs()).toHaveLength(1);
    expect(b.recordedWavs()).toHaveLength(1);
    const heardByA = await readWav(a.recordedWavs()[0] as string);
    const heardByB = await readWav(b.recordedWavs()[0] as string);
    expect(heardByA.sampleRate).toBe(8000);
    // About 2.5 s of talk before the hold.
    expect(activeSeconds(heardByA.samples, 8000)).toBeGreaterThan(2);
    expect(activeSeconds(heardByB.samples, 8000)).toBeGreaterThan(2);
    expect(toneRatio(heardByA.samples, 8000, 1000)).toBeGreaterThan(0.8);
    expect(toneRatio(heardByA.samples, 8000, 440)).toBeLessThan(0.05);
    expect(toneRatio(heardByB.samples, 8000, 440)).toBeGreaterThan(0.8);
    expect(toneRatio(heardByB.samples, 8000, 1000)).toBeLessThan(0.05);
  });

  it.skipIf(!existsSync('/usr/sbin/kamailio'))(
    'registers with Kamailio digest auth, and reports a wrong password',
    async () => {
      const port = await freeUdpPort();
      const cfg = join(workDir, 'kamailio.cfg');
      await writeFile(cfg, kamailioRegistrar(port, 'secret'));
      const kamailio = spawn('kamailio', ['-f', cfg, '-DD', '-E', '-Y', workDir, '-P', join(workDir, 'k.pid')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      kamailio.stdout.on('data', (d: Buffer) => (output += d));
      kamailio.stderr.on('data', (d: Buffer) => (output += d));
      const dir = join(workDir, 'recC');
      await mkdir(dir);
      try {
        await expect.poll(() => output, { timeout: 10_000 }).toContain('Listening on');
        for (const [password, outcome] of [
          ['secret', 'ok'],
          ['wrong', '401 Unauthorized'],
        ] as const) {
          const c = await startBaresip({
            extension: '1001',
            password,
            registrar: { host: '127.0.0.1', port },
            sourceWav: join(workDir, 'toneA.wav'),
            recordDir: dir,
          });
          try {
            if (outcome === 'ok') await c.waitRegistered();
            else await expect(c.waitRegistered()).rejects.toMatchObject({ code: 'register_failed', message: outcome });
          } finally {
            await c.stop();
          }
        }
      } finally {
        kamailio.kill('SIGTERM');
      }
    },
  );
});

/** The smallest Kamailio that challenges REGISTER with one shared password. */
function kamailioRegistrar(port: number, password: string): string {
  return `#!KAMAILIO
debug=1
log_stderror=yes
children=1
listen=udp:127.0.0.1:${port}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "auth.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
request_route {
  if ($rm == "REGISTER") {
    if (!pv_www_authenticate("$td", "${password}", "0")) { www_challenge("$td", "0"); exit; }
    save("location");
    exit;
  }
  sl_send_reply("404", "Not here");
}
`;
}
