/**
 * Voice prompts, synthesised offline with espeak-ng (Mandarin `cmn`, then
 * English) and sox, joined with a short pause into one 8 kHz clip, and
 * cached as G.711 µ-law files: the same bytes phones receive, eight times
 * smaller than the WAVs. The cache key is a hash of the texts and the
 * synthesis settings, so editing a text regenerates its file and stale
 * files are simply never read again.
 */

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CodedError } from '@beacon/common';
import { createLogger } from '../logger.ts';
import { SAMPLE_RATE } from './audioFrame.ts';
import { ulawDecode, ulawEncode } from './g711.ts';
import { PROMPT_TEXTS, type PromptName } from './promptTexts.ts';

export { PROMPT_TEXTS, type PromptName } from './promptTexts.ts';

const run = promisify(execFile);
const logger = createLogger('PromptLibrary');

export interface PromptLibraryOptions {
  /** Where the µ-law files live; created if missing. */
  cacheDir: string;
  /** Default 'espeak-ng'. */
  espeak?: string;
  /** Default 'sox'. */
  sox?: string;
}

/** Part of the cache key: changing how prompts are made must regenerate them. */
const SYNTHESIS = {
  version: 2,
  voices: { zh: 'cmn', en: 'en' },
  /** Words per minute; espeak's Mandarin is slow at its default of 175 for English ears, so it gets more. */
  speed: { zh: 190, en: 165 },
  pauseMs: 400,
  edgeMs: 150,
  gainDb: -3,
} as const;

export class PromptSynthesisError extends CodedError<'prompt_synthesis_failed'> {
  override readonly name = 'PromptSynthesisError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('prompt_synthesis_failed', message, options);
  }
}

export class PromptLibrary {
  readonly #cacheDir: string;
  readonly #espeak: string;
  readonly #sox: string;
  /** In-flight and finished clips by cache key: two callers asking at once share one synthesis. */
  readonly #clips = new Map<string, Promise<Int16Array>>();

  constructor(opts: PromptLibraryOptions) {
    this.#cacheDir = opts.cacheDir;
    this.#espeak = opts.espeak ?? 'espeak-ng';
    this.#sox = opts.sox ?? 'sox';
  }

  async prepare(): Promise<void> {
    // One at a time: each synthesis already keeps a core busy; setup is not in a hurry.
    for (const name of Object.keys(PROMPT_TEXTS) as PromptName[]) await this.get(name);
  }

  get(name: PromptName): Promise<Int16Array> {
    const texts = PROMPT_TEXTS[name];
    return this.#clip(name, texts.zh, texts.en);
  }

  say(textZh: string, textEn: string): Promise<Int16Array> {
    return this.#clip('say', textZh, textEn);
  }

  /** Mandarin only (a loudspeaker's broadcast): synthesised once per text and cached like the prompts. */
  sayZh(textZh: string): Promise<Int16Array> {
    return this.#clip('broadcast', textZh, '');
  }

  #clip(prefix: string, zh: string, en: string): Promise<Int16Array> {
    const key = createHash('sha256')
      .update(JSON.stringify([SYNTHESIS, zh, en]))
      .digest('hex')
      .slice(0, 16);
    let clip = this.#clips.get(key);
    if (clip === undefined) {
      clip = this.#load(join(this.#cacheDir, `${prefix}.${key}.ulaw`), zh, en);
      this.#clips.set(key, clip);
      // A failed synthesis is retried on the next request rather than cached.
      clip.catch(() => this.#clips.delete(key));
    }
    return clip;
  }

  async #load(file: string, zh: string, en: string): Promise<Int16Array> {
    const cached = await readFile(file).catch(() => null);
    if (cached !== null && cached.length > 0) return ulawDecode(cached);
    const pcm = await this.#synthesise(zh, en);
    await mkdir(this.#cacheDir, { recursive: true });
    const partial = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(partial, ulawEncode(pcm));
    await rename(partial, file);
    logger.info({ file, seconds: pcm.length / SAMPLE_RATE }, 'voice prompt generated');
    return pcm;
  }

  async #synthesise(zh: string, en: string): Promise<Int16Array> {
    await mkdir(this.#cacheDir, { recursive: true });
    const work = await mkdtemp(join(this.#cacheDir, '.synth-'));
    try {
      const zhPcm = await this.#speak(work, 'zh', zh);
      const enPcm = await this.#speak(work, 'en', en);
      const edge = (SAMPLE_RATE * SYNTHESIS.edgeMs) / 1000;
      const pause = (SAMPLE_RATE * SYNTHESIS.pauseMs) / 1000;
      const out = new Int16Array(edge + zhPcm.length + pause + enPcm.length + edge);
      out.set(zhPcm, edge);
      out.set(enPcm, edge + zhPcm.length + pause);
      return out;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** One language: espeak-ng to a WAV (22.05 kHz), sox to 8 kHz mono s16le, edge silence trimmed, normalised. */
  async #speak(work: string, language: 'zh' | 'en', text: string): Promise<Int16Array> {
    if (text.trim() === '') return new Int16Array(0);
    const wav = join(work, `${language}.wav`);
    const raw = join(work, `${language}.raw`);
    const voice = SYNTHESIS.voices[language];
    const format = ['-t', 'raw', '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L'];
    const trim = ['silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse'];
    try {
      await run(this.#espeak, ['-v', voice, '-s', String(SYNTHESIS.speed[language]), '-w', wav, '--', text]);
      await run(this.#sox, [wav, ...format, raw, ...trim, 'gain', '-n', String(SYNTHESIS.gainDb)]);
    } catch (error) {
      throw new PromptSynthesisError(`could not synthesise "${text}" (${voice})`, { cause: error });
    }
    const bytes = await readFile(raw);
    const pcm = new Int16Array(bytes.length >> 1);
    for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2);
    return pcm;
  }
}
