/**
 * Report photos on disk: `<dir>/<id>.jpg` (served, no metadata) and
 * `<id>.thumb.jpg`, in a 0700 directory, each file 0600 — they show people
 * and places, so only Beacon's own account reads them.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_FILE_MODE, privateDir } from '../dataDirAccess.ts';

/** Ids are server-made UUIDs; anything else never reaches the file system. */
const PHOTO_ID = /^[0-9a-f-]{36}$/;

export class ReportPhotoFiles {
  readonly #dir: string;
  #ready: Promise<void> | null = null;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async write(id: string, served: Buffer, thumbnail: Buffer): Promise<void> {
    this.#ready ??= privateDir(this.#dir);
    await this.#ready;
    await writeFile(this.#file(id, 'served'), served, { mode: PRIVATE_FILE_MODE });
    await writeFile(this.#file(id, 'thumb'), thumbnail, { mode: PRIVATE_FILE_MODE });
  }

  read(id: string, size: 'served' | 'thumb'): Promise<Buffer> {
    return readFile(this.#file(id, size));
  }

  async remove(id: string): Promise<void> {
    await rm(this.#file(id, 'served'), { force: true });
    await rm(this.#file(id, 'thumb'), { force: true });
  }

  #file(id: string, size: 'served' | 'thumb'): string {
    if (!PHOTO_ID.test(id)) throw new Error(`not a photo id: ${id}`);
    return path.join(this.#dir, size === 'thumb' ? `${id}.thumb.jpg` : `${id}.jpg`);
  }
}
