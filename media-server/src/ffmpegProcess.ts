/**
 * Running ffmpeg and ffprobe: a long-lived process we stop gracefully ('q' on
 * stdin lets ffmpeg finish the file; signals are the fallback), and short
 * runs that must succeed. stderr is kept (its tail) for failure reasons.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

const STDERR_TAIL = 2_000;

export class FfmpegProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stderr = '';

  constructor(args: string[], command = 'ffmpeg') {
    this.#child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    // EPIPE when ffmpeg exits before reading 'q': the exit is what matters.
    this.#child.stdin?.on('error', () => undefined);
    this.#exited = new Promise((resolve) => {
      this.#child.once('error', (error) => {
        this.#stderr += String(error);
        resolve({ code: null, signal: null });
      });
      this.#child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Resolves on exit, whoever caused it. */
  get exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.#exited;
  }

  get stderrTail(): string {
    return this.#stderr.trim();
  }

  /** 'q' (ffmpeg writes the trailer), then SIGINT, then SIGKILL if it hangs. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.alive) return;
    this.#child.stdin?.end('q');
    const escalate = [
      setTimeout(() => this.#child.kill('SIGINT'), graceMs),
      setTimeout(() => this.#child.kill('SIGKILL'), graceMs * 2),
    ];
    await this.#exited;
    for (const timer of escalate) clearTimeout(timer);
  }
}

/** Runs to completion; resolves stdout, rejects with the stderr tail on failure or timeout. */
export async function runTool(command: 'ffmpeg' | 'ffprobe', args: string[], timeoutMs = 60_000): Promise<string> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [code] = (await Promise.race([once(child, 'exit'), once(child, 'error')])) as [number | null];
    if (code !== 0) throw new Error(`${command} failed (${code}): ${stderr.trim() || 'no output'}`);
    return stdout;
  } finally {
    clearTimeout(timer);
  }
}

/** Container duration in seconds (ffprobe), NaN when unknown. */
export async function probeDurationSeconds(filePath: string): Promise<number> {
  const out = await runTool('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', filePath]);
  const parsed = JSON.parse(out) as { format?: { duration?: string } };
  return Number(parsed.format?.duration ?? Number.NaN);
}
