/**
 * Meeting materials on disk: `<dir>/<id>` in a 0700 directory, each file
 * 0600 — notices and their documents are for the invitees, so only Beacon's
 * own account reads them.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_FILE_MODE, privateDir } from '../dataDirAccess.ts';

/** Ids are server-made UUIDs; anything else never reaches the file system. */
const MATERIAL_ID = /^[0-9a-f-]{36}$/;

export class MaterialFiles {
  readonly #dir: string;
  #ready: Promise<void> | null = null;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async write(id: string, bytes: Buffer): Promise<void> {
    this.#ready ??= privateDir(this.#dir);
    await this.#ready;
    await writeFile(this.#file(id), bytes, { mode: PRIVATE_FILE_MODE });
  }

  read(id: string): Promise<Buffer> {
    return readFile(this.#file(id));
  }

  async remove(id: string): Promise<void> {
    await rm(this.#file(id), { force: true });
  }

  #file(id: string): string {
    if (!MATERIAL_ID.test(id)) throw new Error(`not a material id: ${id}`);
    return path.join(this.#dir, id);
  }
}
