/**
 * What a phone user does before typing: listen to the voice prompt to its
 * end. A baresip phone records what it hears as the RTP arrives (sndfile;
 * the WAV header is fixed up only when the call ends, which parseWav copes
 * with), so a test reads that recording the way the user's ear would: the
 * prompt was heard once there was speech, and it is over once the line has
 * stayed quiet — the gateway's comfort noise, about −70 dBFS — for longer
 * than any pause inside a prompt. Measured on the gateway's espeak-ng
 * prompts: the longest pause inside one (between sentences, or between the
 * Chinese and the English part) is 400 ms.
 */
import type { BaresipPhone } from './baresip.ts';
import { waitFor } from './waitFor.ts';
import { frameLevels, readWav } from './wavAnalysis.ts';

/** Speech and tones; G.711 idle and comfort noise stay far below. */
const SPEECH_DB = -40;
const FRAME_MS = 20;

export interface PromptEndOptions {
  /**
   * Which recording: its index in `recordedWavs()` — take the count before
   * the call starts, so an earlier call's recording is never read. Default:
   * the newest.
   */
  recording?: number;
  /** Quiet after speech that ends the prompt (default 800: twice the longest pause inside a prompt). */
  quietMs?: number;
  /** Speech needed before a quiet line counts as "after the prompt" (default 500). */
  minSpeechMs?: number;
  /** Default 40000. */
  timeoutMs?: number;
}

export interface HeardPrompt {
  /** Where in the recording the prompt's speech started and ended, in seconds. */
  startSeconds: number;
  endSeconds: number;
}

/** The prompt the phone is hearing, once it has ended (heard speech, then `quietMs` of quiet). */
export function waitForPromptEnd(
  phone: Pick<BaresipPhone, 'recordedWavs'>,
  options: PromptEndOptions = {},
): Promise<HeardPrompt> {
  const quietFrames = Math.ceil((options.quietMs ?? 800) / FRAME_MS);
  const speechFrames = Math.ceil((options.minSpeechMs ?? 500) / FRAME_MS);
  return waitFor(
    'the phone to hear a voice prompt to its end',
    async (): Promise<HeardPrompt | null> => {
      const wavs = phone.recordedWavs();
      const file = options.recording === undefined ? wavs.at(-1) : wavs[options.recording];
      if (file === undefined) return null;
      const wav = await readWav(file).catch(() => null);
      if (wav === null) return null;
      const loud = frameLevels(wav.samples, wav.sampleRate, FRAME_MS).map((level) => level >= SPEECH_DB);
      const first = loud.indexOf(true);
      const last = loud.lastIndexOf(true);
      const speech = loud.filter(Boolean).length;
      if (first < 0 || speech < speechFrames || loud.length - 1 - last < quietFrames) return null;
      return { startSeconds: (first * FRAME_MS) / 1000, endSeconds: ((last + 1) * FRAME_MS) / 1000 };
    },
    (heard) => heard !== null,
    { timeoutMs: options.timeoutMs ?? 40_000, intervalMs: 100 },
  ) as Promise<HeardPrompt>;
}
