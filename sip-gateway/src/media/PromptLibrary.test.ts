import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameRms } from './audioFrame.ts';
import { PROMPT_TEXTS, PromptLibrary, PromptSynthesisError } from './PromptLibrary.ts';

function installed(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const tools = installed('espeak-ng') && installed('sox');
if (!tools)
  console.warn('PromptLibrary tests skipped: espeak-ng or sox is not installed (apt-get install espeak-ng sox)');

describe.skipIf(!tools)('PromptLibrary', () => {
  let cacheDir = '';
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'beacon-prompts-'));
  });
  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('synthesises every fixed prompt once into µ-law files', async () => {
    await new PromptLibrary({ cacheDir }).prepare();
    const files = (await readdir(cacheDir)).filter((f) => f.endsWith('.ulaw'));
    expect(files).toHaveLength(Object.keys(PROMPT_TEXTS).length);
    // No synthesis leftovers.
    expect((await readdir(cacheDir)).length).toBe(files.length);
    await new PromptLibrary({ cacheDir }).prepare();
    expect((await readdir(cacheDir)).length).toBe(files.length);
  });

  it('serves prompts from the cache without running espeak-ng again', async () => {
    await new PromptLibrary({ cacheDir }).prepare();
    const cachedOnly = new PromptLibrary({ cacheDir, espeak: '/nonexistent/espeak-ng' });
    const welcome = await cachedOnly.get('welcome_pin');
    // Two sentences in Chinese and one in English take well over 5 s.
    expect(welcome.length / 8000).toBeGreaterThan(5);
    expect(frameRms(welcome)).toBeGreaterThan(1000);
  });

  it('says free text in both languages, one after the other', async () => {
    const library = new PromptLibrary({ cacheDir });
    const zhOnly = await library.say('会议中共有五人。', '');
    const both = await library.say('会议中共有五人。', 'There are five participants.');
    expect(both.length).toBeGreaterThan(zhOnly.length + 8000);
    expect(await library.say('会议中共有五人。', 'There are five participants.')).toBe(both);
  });

  it('reports a synthesis failure and does not cache it', async () => {
    const broken = new PromptLibrary({ cacheDir, espeak: '/nonexistent/espeak-ng' });
    await expect(broken.say('新的文字', 'New text')).rejects.toBeInstanceOf(PromptSynthesisError);
    await expect(broken.say('新的文字', 'New text')).rejects.toBeInstanceOf(PromptSynthesisError);
    expect((await readdir(cacheDir)).some((f) => f.startsWith('.synth-'))).toBe(false);
  });
});
