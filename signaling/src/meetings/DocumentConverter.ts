/**
 * Documents to PDF and PDFs to page images, by the programs that do it best:
 * LibreOffice headless (`soffice --convert-to pdf`) for Office files and the
 * minutes' DOCX, poppler's `pdftoppm` for the pages. Each run is a child
 * process in its own process group, killed (the whole group: soffice starts
 * soffice.bin) when it outlives the timeout. LibreOffice gets a profile
 * directory of Beacon's own (never the account's ~/.config), and its runs
 * are serialised: one profile serves one LibreOffice at a time, and a
 * conversion is rare (once per material, cached). A file the programs
 * cannot read is `material_unconvertible`; missing programs are
 * `conversion_unavailable`.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';

const logger = createLogger('DocumentConverter');

export interface ConverterOptions {
  /** Where LibreOffice's profile and the scratch files live (Beacon's data dir). */
  workDir: string;
  /** LibreOffice's program (default `soffice`). */
  soffice: string;
  /** poppler's program (default `pdftoppm`). */
  pdftoppm: string;
  /** A run is killed after this long (default 120 s: a 200-page presentation on a slow machine). */
  timeoutMs: number;
  /** Pages rendered at most (default 300); a longer document shows its first ones. */
  maxPages: number;
  /** The longer side of a page image in pixels (default 1600: sharp on a 1080p screen, ~200 kB a page). */
  pagePixels: number;
}

export const DEFAULT_CONVERTER_OPTIONS: Omit<ConverterOptions, 'workDir'> = {
  soffice: 'soffice',
  pdftoppm: 'pdftoppm',
  timeoutMs: 120_000,
  maxPages: 300,
  pagePixels: 1600,
};

const unconvertible = (why: string) =>
  new BeaconError('material_unconvertible', `文件无法转换（${why}） / the file could not be converted: ${why}`);

/** Runs a program; resolves with its stderr tail, rejects with a coded error. */
function run(program: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    }, timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new BeaconError('conversion_unavailable', `${program} 未安装 / ${program} is not installed`)
          : err,
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(unconvertible(`超时 / timed out after ${timeoutMs} ms`));
      else if (code !== 0) {
        logger.debug({ program, code, stderr }, 'conversion failed');
        reject(unconvertible(`${path.basename(program)} exit ${code}`));
      } else resolve();
    });
  });
}

export class DocumentConverter {
  readonly #opts: ConverterOptions;
  #office: Promise<unknown> = Promise.resolve();

  constructor(opts: Partial<ConverterOptions> & Pick<ConverterOptions, 'workDir'>) {
    this.#opts = { ...DEFAULT_CONVERTER_OPTIONS, ...opts };
  }

  /** An Office document (`ext` says which kind: docx, pptx, doc…) as PDF bytes. */
  toPdf(bytes: Buffer, ext: string): Promise<Buffer> {
    const next = this.#office.then(() => this.#toPdf(bytes, ext));
    this.#office = next.catch(() => undefined);
    return next;
  }

  /** Renders a PDF to `<outDir>/1.png` … `<n>.png`; returns n. */
  async toPages(pdf: Buffer, outDir: string): Promise<number> {
    const scratch = await this.#scratch();
    try {
      const input = path.join(scratch, 'input.pdf');
      await writeFile(input, pdf);
      const { pdftoppm, timeoutMs, maxPages, pagePixels } = this.#opts;
      const args = ['-png', '-scale-to', String(pagePixels), '-l', String(maxPages), input, path.join(scratch, 'p')];
      await run(pdftoppm, args, timeoutMs);
      // pdftoppm pads the page number to the width of the last one (p-01.png…): sort by the number.
      const pages = (await readdir(scratch))
        .map((name) => /^p-(\d+)\.png$/.exec(name))
        .filter((m): m is RegExpExecArray => m !== null)
        .sort((a, b) => Number(a[1]) - Number(b[1]));
      if (pages.length === 0) throw unconvertible('没有页面 / no pages');
      await mkdir(outDir, { recursive: true, mode: 0o700 });
      for (const [index, match] of pages.entries()) {
        await rename(path.join(scratch, match[0]), path.join(outDir, `${index + 1}.png`));
      }
      return pages.length;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async #toPdf(bytes: Buffer, ext: string): Promise<Buffer> {
    const scratch = await this.#scratch();
    const started = Date.now();
    try {
      const input = path.join(scratch, `input.${ext.replace(/[^a-z0-9]/gi, '') || 'bin'}`);
      await writeFile(input, bytes);
      const profile = pathToFileURL(path.join(this.#opts.workDir, 'lo-profile')).href;
      const args = [
        `-env:UserInstallation=${profile}`,
        '--headless',
        '--norestore',
        '--nolockcheck',
        '--convert-to',
        'pdf',
        '--outdir',
        scratch,
        input,
      ];
      await run(this.#opts.soffice, args, this.#opts.timeoutMs);
      const pdf = await readFile(path.join(scratch, 'input.pdf')).catch(() => null);
      // LibreOffice exits 0 even when it could not read the file: no PDF is the failure.
      if (!pdf || pdf.length === 0) throw unconvertible('LibreOffice 无法读取 / LibreOffice could not read it');
      logger.debug({ ext, bytes: bytes.length, ms: Date.now() - started }, 'converted to PDF');
      return pdf;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async #scratch(): Promise<string> {
    const base = path.join(this.#opts.workDir, 'scratch');
    await mkdir(base, { recursive: true, mode: 0o700 });
    return mkdtemp(path.join(base, 'c-'));
  }
}
