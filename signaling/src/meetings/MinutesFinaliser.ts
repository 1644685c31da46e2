/**
 * Finalising the minutes (定稿签发): the secretary signs the minutes version
 * on screen; Beacon renders it once to DOCX (and, through LibreOffice, PDF)
 * and keeps both bytes as the meeting's files — what was signed is what is
 * downloaded later, never a re-render of minutes edited since. Each
 * finalisation is the next file version of the meeting; earlier versions stay.
 *
 * The bytes are written to disk first (a file with no row is garbage; a row
 * with no file would be a broken promise), then the rows and the audit entry
 * (`meeting.minutes_finalised`, with the hashes) in one transaction, which also
 * re-checks that the minutes are still the version signed. When it fails, the
 * files just written are removed: nothing is stored.
 *
 * Without LibreOffice (or when it fails on the document), the DOCX is still
 * finalised and the answer says why there is no PDF: the secretary's act is
 * signing the minutes, and an office prints the DOCX as well as a PDF — being
 * refused outright over a missing server program would block the meeting's
 * paperwork for something the secretary cannot fix. Finalising again after an
 * edit (or once the program is installed) adds a version with both.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  BeaconError,
  type MinutesFileFormat,
  type MinutesFileView,
  type MinutesFinalise,
  type MinutesFinalised,
} from '@beacon/protocol';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import { createLogger } from '../logger.ts';
import type { MinutesFileRecord } from '../store/minutesTypes.ts';
import type { MaterialFiles } from './MaterialFiles.ts';
import type { MinutesDesk } from './MinutesDesk.ts';
import { minutesDocx } from './minutesDocx.ts';

const logger = createLogger('MinutesFinaliser');

export const MINUTES_FILE_TYPES: Record<MinutesFileFormat, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
};

/** What the finaliser needs of the DocumentConverter. */
export interface PdfConverter {
  toPdf(bytes: Buffer, ext: string): Promise<Buffer>;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export function minutesFileView(f: MinutesFileRecord): MinutesFileView {
  return {
    id: f.id,
    bookingId: f.bookingId,
    version: f.version,
    minutesVersion: f.minutesVersion,
    format: f.format,
    name: f.name,
    bytes: f.bytes,
    sha256: f.sha256,
    issuedByName: f.issuedByName,
    issuedAt: f.issuedAt,
    url: `/api/v1/meetings/${encodeURIComponent(f.bookingId)}/minutes/files/${f.id}`,
  };
}

export class MinutesFinaliser {
  readonly #bus: CommandBus;
  readonly #minutes: MinutesDesk;
  readonly #converter: PdfConverter;
  readonly #files: MaterialFiles;

  constructor(opts: { bus: CommandBus; minutes: MinutesDesk; converter: PdfConverter; files: MaterialFiles }) {
    this.#bus = opts.bus;
    this.#minutes = opts.minutes;
    this.#converter = opts.converter;
    this.#files = opts.files;
  }

  async finalise(actor: Actor, bookingId: string, input: MinutesFinalise, now = new Date()): Promise<MinutesFinalised> {
    const doc = await this.#minutes.document(actor, bookingId, now);
    const { booking, minutes } = doc;
    if (booking.state !== 'started' && booking.state !== 'ended') {
      throw new BeaconError(
        'invalid_state',
        '会议尚未开始，不能签发纪要 / the meeting has not started: no minutes to finalise',
      );
    }
    if (minutes.version !== input.version) {
      throw BeaconError.conflict(
        'version',
        '纪要已被他人修改，请刷新后再签发 / the minutes changed since you read them',
      );
    }
    const store = this.#bus.store.minutes;
    const last = (await store.files(bookingId))[0];
    if (last && last.minutesVersion === minutes.version) {
      throw BeaconError.conflict('version', `此稿已签发为第 ${last.version} 版 / this draft is already finalised`);
    }

    const docx = await minutesDocx(doc);
    let pdf: Buffer | null = null;
    let pdfError: MinutesFinalised['pdfError'] = null;
    try {
      pdf = await this.#converter.toPdf(docx, 'docx');
    } catch (err) {
      if (!(err instanceof BeaconError)) throw err;
      if (err.code !== 'conversion_unavailable' && err.code !== 'material_unconvertible') throw err;
      pdfError = err.code;
      logger.warn({ bookingId, code: err.code }, 'minutes finalised without a PDF');
    }

    const base = `${booking.title}-会议纪要`;
    const issuedAt = now.toISOString();
    const rendered = [
      { format: 'docx' as const, bytes: docx },
      ...(pdf ? [{ format: 'pdf' as const, bytes: pdf }] : []),
    ].map(({ format, bytes }) => ({ id: randomUUID(), format, bytes }));
    for (const f of rendered) await this.#files.write(f.id, f.bytes);

    let rows: Omit<MinutesFileRecord, 'issuedByName'>[];
    try {
      rows = await this.#bus.audited(
        actor,
        async (tx) => {
          // Re-read inside the transaction: a save between the render and here would make the files a stale draft.
          const current = await tx.minutes.get(bookingId);
          if (current?.version !== minutes.version) {
            throw BeaconError.conflict('version', '纪要已被他人修改，请刷新后再签发 / the minutes changed meanwhile');
          }
          const version = (await tx.minutes.lastFileVersion(bookingId)) + 1;
          const made = rendered.map((f) => ({
            id: f.id,
            bookingId,
            version,
            minutesVersion: minutes.version,
            format: f.format,
            name: `${base}-第${version}版.${f.format}`,
            bytes: f.bytes.length,
            sha256: sha256(f.bytes),
            issuedBy: actor.userId,
            issuedAt,
          }));
          await tx.minutes.addFiles(made);
          return made;
        },
        (made) => ({
          action: 'meeting.minutes_finalised',
          target: bookingId,
          detail: {
            version: made[0]?.version,
            minutesVersion: minutes.version,
            files: made.map((f) => ({ format: f.format, sha256: f.sha256, bytes: f.bytes })),
            pdfError,
          },
        }),
      );
    } catch (err) {
      await Promise.all(rendered.map((f) => this.#files.remove(f.id)));
      throw err;
    }
    const version = rows[0]?.version ?? 0;
    logger.info({ bookingId, version, minutesVersion: minutes.version, pdf: pdf !== null }, 'minutes finalised');
    return {
      version,
      files: rows.map((r) => minutesFileView({ ...r, issuedByName: actor.displayName })),
      pdfError,
    };
  }

  async list(actor: Actor, bookingId: string): Promise<MinutesFileView[]> {
    await this.#minutes.get(actor, bookingId);
    return (await this.#bus.store.minutes.files(bookingId)).map(minutesFileView);
  }

  /** The stored bytes of one file, checked against the hash signed. */
  async read(actor: Actor, bookingId: string, fileId: string): Promise<{ file: MinutesFileView; bytes: Buffer }> {
    await this.#minutes.get(actor, bookingId);
    const file = await this.#bus.store.minutes.file(fileId);
    if (!file || file.bookingId !== bookingId) throw BeaconError.notFound('minutes file');
    const bytes = await this.#files.read(file.id);
    if (sha256(bytes) !== file.sha256) {
      logger.error({ bookingId, fileId }, 'a finalised minutes file does not match its hash');
      throw new BeaconError('internal', '纪要文件已损坏 / the stored minutes file is damaged');
    }
    return { file: minutesFileView(file), bytes };
  }
}
