/**
 * Running ffmpeg and ffprobe: a long-lived process (a recording segment)
 * under a ProcessSupervisor that never restarts it (a segment that dies fails
 * the recording) and stops it gracefully ('q' on stdin lets ffmpeg finish the
 * file; SIGINT, then SIGKILL are the fallback), and short runs that must
 * succeed. stderr is kept (its tail) for failure reasons.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { type ProcessExit, ProcessSupervisor } from '@beacon/common';

const STDERR_TAIL = 2_000;

export class FfmpegProcess {
  readonly #process: ProcessSupervisor;
  #stderr = '';

  private constructor(args: string[], command: string, graceMs: number) {
    this.#process = new ProcessSupervisor({
      name: command,
      command,
      args,
      stdin: true,
      onOutput: (line, stream) => {
        if (stream === 'stderr') this.#stderr = `${this.#stderr}${line}\n`.slice(-STDERR_TAIL);
        return false;
      },
      restart: false,
      requestStop: (child) => child.stdin?.end('q'),
      stopSignal: 'SIGINT',
      stopGraceMs: graceMs,
    });
  }

  /**
   * Spawns ffmpeg. Never throws: when it cannot even be spawned it is simply
   * not `alive`, and `stderrTail` says why.
   */
  static async start(args: string[], options: { command?: string; graceMs?: number } = {}): Promise<FfmpegProcess> {
    const ffmpeg = new FfmpegProcess(args, options.command ?? 'ffmpeg', options.graceMs ?? 5_000);
    try {
      await ffmpeg.#process.start();
    } catch (error) {
      ffmpeg.#stderr += error instanceof Error ? error.message : String(error);
    }
    return ffmpeg;
  }

  get alive(): boolean {
    return this.#process.pid !== null;
  }

  /** Resolves on exit, whoever caused it. */
  get exited(): Promise<ProcessExit> {
    return this.#process.exited;
  }

  get stderrTail(): string {
    return this.#stderr.trim();
  }

  /** 'q' (ffmpeg writes the trailer), then SIGINT, then SIGKILL if it hangs. */
  async stop(): Promise<void> {
    await this.#process.stop();
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
