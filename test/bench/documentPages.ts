/**
 * Meeting materials to page images: what the chair waits for the first
 * time a material is presented — a DOCX of N pages (made with `docx`) through LibreOffice headless to PDF, then
 * pdftoppm to PNGs — and the same PDF's pages alone (what a PDF material costs). Reports total and per-page
 * times, cold (LibreOffice's first start with a new profile) and warm (the profile exists).
 *
 * Run alone: `npm run ts -- test/bench/documentPages.ts` (BENCH_DOC_PAGES, default 20; also part of `npm run bench`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document, Packer, PageBreak, Paragraph, TextRun } from 'docx';
import { DocumentConverter } from '../../signaling/src/meetings/DocumentConverter.ts';

function document(pages: number): Promise<Buffer> {
  const children = Array.from(
    { length: pages },
    (_, i) =>
      new Paragraph({
        children: [
          new TextRun(`第${i + 1}页 汛情通报：各乡镇做好防汛准备。`),
          ...(i < pages - 1 ? [new PageBreak()] : []),
        ],
      }),
  );
  return Packer.toBuffer(new Document({ sections: [{ children }] }));
}

export async function runDocumentPages(opts: { pages: number }): Promise<Record<string, number | string>[]> {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-bench-doc-'));
  try {
    const converter = new DocumentConverter({ workDir: dir });
    const docx = await document(opts.pages);
    const rows: Record<string, number | string>[] = [];
    for (const run of ['cold', 'warm']) {
      const t0 = performance.now();
      const pdf = await converter.toPdf(docx, 'docx');
      const t1 = performance.now();
      const pages = await converter.toPages(pdf, join(dir, `pages-${run}`));
      const t2 = performance.now();
      rows.push({
        run,
        pages,
        'DOCX→PDF ms': Math.round(t1 - t0),
        'PDF→PNG ms': Math.round(t2 - t1),
        'total ms/page': Math.round((t2 - t0) / pages),
        'PDF ms/page': Math.round((t2 - t1) / pages),
      });
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await runDocumentPages({ pages: Number(process.env.BENCH_DOC_PAGES ?? 20) }));
}
