/**
 * A material as page images, for presenting it in the meeting: a PDF is
 * rendered by pdftoppm, an Office file goes through LibreOffice to PDF first,
 * an image is one page (re-encoded as PNG by sharp, which also drops what is
 * not pixels). Converted once per material and cached under
 * `<dir>/<materialId>/` (`1.png` … and `pages.json`, written last so a
 * half-done conversion is never taken for a cached one); two asks at once
 * share one conversion.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BeaconError } from '@beacon/protocol';
import sharp from 'sharp';
import { createLogger } from '../logger.ts';
import type { MaterialRecord } from '../store/bookingTypes.ts';
import type { DocumentConverter } from './DocumentConverter.ts';
import type { MaterialFiles } from './MaterialFiles.ts';

const logger = createLogger('MaterialPages');
const MATERIAL_ID = /^[0-9a-f-]{36}$/;

export class MaterialPages {
  readonly #dir: string;
  readonly #files: MaterialFiles;
  readonly #converter: DocumentConverter;
  readonly #running = new Map<string, Promise<number>>();

  constructor(opts: { dir: string; files: MaterialFiles; converter: DocumentConverter }) {
    this.#dir = opts.dir;
    this.#files = opts.files;
    this.#converter = opts.converter;
  }

  /** How many pages the material has, converting it the first time. */
  async count(material: MaterialRecord): Promise<number> {
    const cached = await this.#cached(material.id);
    if (cached !== null) return cached;
    let running = this.#running.get(material.id);
    if (!running) {
      running = this.#convert(material).finally(() => this.#running.delete(material.id));
      this.#running.set(material.id, running);
    }
    return running;
  }

  /** One page's PNG (1-based); `not_found` past the last page. */
  async page(material: MaterialRecord, page: number): Promise<Buffer> {
    const pages = await this.count(material);
    if (!Number.isInteger(page) || page < 1 || page > pages) throw BeaconError.notFound('page');
    return readFile(path.join(this.#folder(material.id), `${page}.png`));
  }

  async #cached(id: string): Promise<number | null> {
    try {
      const { pages } = JSON.parse(await readFile(path.join(this.#folder(id), 'pages.json'), 'utf8')) as {
        pages: number;
      };
      return pages;
    } catch {
      return null;
    }
  }

  async #convert(material: MaterialRecord): Promise<number> {
    const folder = this.#folder(material.id);
    const started = Date.now();
    await rm(folder, { recursive: true, force: true });
    const bytes = await this.#files.read(material.id);
    let pages: number;
    try {
      if (material.mime.startsWith('image/')) {
        await mkdir(folder, { recursive: true, mode: 0o700 });
        await sharp(bytes).rotate().png().toFile(path.join(folder, '1.png'));
        pages = 1;
      } else {
        const ext = material.name.split('.').pop()?.toLowerCase() ?? 'bin';
        const pdf = material.mime === 'application/pdf' ? bytes : await this.#converter.toPdf(bytes, ext);
        pages = await this.#converter.toPages(pdf, folder);
      }
    } catch (err) {
      await rm(folder, { recursive: true, force: true });
      if (err instanceof BeaconError) throw err;
      throw new BeaconError('material_unconvertible', `文件无法转换 / the file could not be converted`, {
        cause: err,
      });
    }
    await writeFile(path.join(folder, 'pages.json'), JSON.stringify({ pages }));
    const ms = Date.now() - started;
    logger.info({ materialId: material.id, pages, ms, msPerPage: Math.round(ms / pages) }, 'material converted');
    return pages;
  }

  #folder(id: string): string {
    if (!MATERIAL_ID.test(id)) throw new Error(`not a material id: ${id}`);
    return path.join(this.#dir, id);
  }
}
