/**
 * Meeting documents through real programs, over REST against a real node: a DOCX made here with the `docx`
 * library (3 pages) goes through LibreOffice and pdftoppm into 3 page PNGs; a file that only looks like one is
 * refused with its code (material_unconvertible); the minutes with a decision and an action item export to DOCX (unzipped: the decision
 * is in word/document.xml) and PDF (pdftotext: the decision and the absent township are in its text); finalised
 * minutes (定稿) are kept as the meeting's files: the stored DOCX and PDF download as they were signed, and an edit
 * finalised again is version 2 while version 1 still downloads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BookingSaved, BookingView, MinutesFileView, MinutesFinalised, MinutesView } from '@beacon/protocol';
import { Document, Packer, PageBreak, Paragraph, TextRun } from 'docx';
import JSZip from 'jszip';
import sharp from 'sharp';
import { expect, it } from 'vitest';
import { waitFor } from '../src/waitFor.ts';
import { api, login, useTestNode } from './helpers.ts';

// A fast scheduler tick: the finalised minutes' meeting starts a moment after it is booked.
const t = useTestNode({ env: { BEACON_MEETING_TICK_MS: '300' } });
const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

async function threePages(): Promise<Buffer> {
  const page = (n: number, last = false) =>
    new Paragraph({ children: [new TextRun(`第${n}页 汛情通报 page ${n}`), ...(last ? [] : [new PageBreak()])] });
  return Packer.toBuffer(new Document({ sections: [{ children: [page(1), page(2), page(3, true)] }] }));
}

async function upload(token: string, name: string, bytes: Buffer): Promise<Response> {
  return fetch(`${t.url}/api/v1/meetings/materials?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
}

function pdfText(bytes: Buffer): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-minutes-'));
  try {
    const file = path.join(dir, 'minutes.pdf');
    writeFileSync(file, bytes);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function docxText(bytes: Buffer): Promise<string> {
  const unzipped = await JSZip.loadAsync(bytes);
  return (await unzipped.file('word/document.xml')?.async('string')) ?? '';
}

it('converts an uploaded DOCX to one PNG per page, cached; refuses a broken document', async () => {
  const token = await login(t.url, 'duty');
  const res = await upload(token, '汛情通报.docx', await threePages());
  expect(res.status).toBe(201);
  const material = (await res.json()) as { id: string };
  // Attached to a booking, so an invitee may see it too.
  await api(t.url, token, '/api/v1/meetings', {
    method: 'POST',
    body: JSON.stringify({
      title: '材料测试',
      kind: 'work',
      startsAt: inMinutes(60),
      endsAt: inMinutes(120),
      roomId: null,
      chairId: 'u-chair',
      invitees: [{ kind: 'township', id: 'lucheng' }],
      materialIds: [material.id],
    }),
  });
  const started = Date.now();
  const pages = await api(t.url, token, `/api/v1/meetings/materials/${material.id}/pages`);
  expect(pages.status).toBe(200);
  expect(await pages.json()).toEqual({ materialId: material.id, pages: 3 });
  const convertMs = Date.now() - started;
  const township = await login(t.url, 'lucheng');
  const png = await api(t.url, township, `/api/v1/meetings/materials/${material.id}/pages/2`);
  expect(png.headers.get('content-type')).toBe('image/png');
  const meta = await sharp(Buffer.from(await png.arrayBuffer())).metadata();
  expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(1600);
  expect((await api(t.url, token, `/api/v1/meetings/materials/${material.id}/pages/4`)).status).toBe(404);
  // Cached: the second ask does not convert again.
  const again = Date.now();
  expect((await api(t.url, token, `/api/v1/meetings/materials/${material.id}/pages`)).status).toBe(200);
  console.log(
    `[figures] DOCX 3 pages converted in ${convertMs} ms (${Math.round(convertMs / 3)} ms/page); cached ask ${Date.now() - again} ms`,
  );

  // A file that passes the content check (a PDF signature) but holds no page the renderer can read.
  const broken = await upload(token, '坏文件.pdf', Buffer.from('%PDF-1.4\n%garbage, no objects, no pages\n%%EOF\n'));
  expect(broken.status).toBe(201);
  const brokenId = ((await broken.json()) as { id: string }).id;
  const refused = await api(t.url, token, `/api/v1/meetings/materials/${brokenId}/pages`);
  expect(refused.status).toBe(422);
  expect(await refused.json()).toMatchObject({ error: { code: 'material_unconvertible' } });
});

it('exports the minutes with decisions, an action item and the absent township to DOCX and PDF', async () => {
  const token = await login(t.url, 'duty');
  const saved = (await (
    await api(t.url, token, '/api/v1/meetings', {
      method: 'POST',
      body: JSON.stringify({
        title: '全市防汛工作会',
        kind: 'work',
        startsAt: inMinutes(1),
        endsAt: inMinutes(60),
        roomId: null,
        chairId: 'u-chair',
        invitees: [{ kind: 'township', id: 'lucheng' }],
      }),
    })
  ).json()) as BookingSaved;
  const id = saved.booking.id;
  const put = await api(t.url, token, `/api/v1/meetings/${id}/minutes`, {
    method: 'PUT',
    body: JSON.stringify({
      decisions: ['启动防汛四级应急响应'],
      actions: [{ text: '排查山塘水库隐患', owner: { kind: 'township', id: 'lucheng' }, due: inMinutes(24 * 60) }],
      text: '水务局汇报了雨情。',
      version: 0,
    }),
  });
  expect(put.status).toBe(200);
  const minutes = (await put.json()) as MinutesView;
  const bad = await api(t.url, token, `/api/v1/meetings/${id}/minutes`, {
    method: 'PUT',
    body: JSON.stringify({
      decisions: [],
      actions: [{ text: '', owner: { kind: 'x', id: 'y' } }],
      text: '',
      version: 1,
    }),
  });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ error: { code: 'minutes_invalid' } });
  const task = await api(t.url, token, `/api/v1/meetings/${id}/minutes/actions/${minutes.actions[0]?.id}/task`, {
    method: 'POST',
  });
  expect(((await task.json()) as MinutesView).actions[0]?.taskId).toBeTruthy();

  const docx = await api(t.url, token, `/api/v1/meetings/${id}/minutes.docx`);
  expect(docx.status).toBe(200);
  const unzipped = await JSZip.loadAsync(Buffer.from(await docx.arrayBuffer()));
  const xml = (await unzipped.file('word/document.xml')?.async('string')) ?? '';
  expect(xml).toContain('启动防汛四级应急响应');
  expect(xml).toContain('排查山塘水库隐患');

  const started = Date.now();
  const pdf = await api(t.url, token, `/api/v1/meetings/${id}/minutes.pdf`);
  expect(pdf.status).toBe(200);
  expect(pdf.headers.get('content-type')).toBe('application/pdf');
  console.log(`[figures] minutes PDF (DOCX → LibreOffice) in ${Date.now() - started} ms`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-minutes-'));
  try {
    const file = path.join(dir, 'minutes.pdf');
    writeFileSync(file, Buffer.from(await pdf.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain('启动防汛四级应急响应');
    expect(text).toContain('缺席');
    expect(text).toContain('会议纪要');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('keeps finalised minutes as the meeting’s files: version 2 after an edit, version 1 still downloads', async () => {
  const token = await login(t.url, 'duty');
  const booked = await api(t.url, token, '/api/v1/meetings', {
    method: 'POST',
    body: JSON.stringify({
      title: '防汛调度会',
      kind: 'work',
      startsAt: inMinutes(-1),
      endsAt: inMinutes(60),
      roomId: null,
      chairId: 'u-chair',
      invitees: [{ kind: 'township', id: 'lucheng' }],
    }),
  });
  const id = ((await booked.json()) as BookingSaved).booking.id;
  const save = async (decision: string, version: number) =>
    (await (
      await api(t.url, token, `/api/v1/meetings/${id}/minutes`, {
        method: 'PUT',
        body: JSON.stringify({ decisions: [decision], actions: [], text: '', version }),
      })
    ).json()) as MinutesView;
  const finalise = (version: number) =>
    api(t.url, token, `/api/v1/meetings/${id}/minutes/finalise`, { method: 'POST', body: JSON.stringify({ version }) });
  // A meeting not started yet refuses finalising (signaling/src/meetings/minutesFinalise.test.ts); this one starts
  // on the scheduler's next tick.
  await waitFor(
    'the booked meeting started',
    async () => ((await (await api(t.url, token, `/api/v1/meetings/${id}`)).json()) as BookingView).state,
    (state) => state === 'started',
    { timeoutMs: 30_000 },
  );
  const unknown = await api(t.url, token, '/api/v1/meetings/no-such-meeting/minutes/finalise', {
    method: 'POST',
    body: JSON.stringify({ version: 1 }),
  });
  expect(unknown.status).toBe(404);
  const draft = await save('启动防汛四级应急响应', 0);
  const stale = await finalise(draft.version + 1);
  expect(stale.status).toBe(409);
  expect(await stale.json()).toMatchObject({ error: { code: 'conflict' } });

  const started = Date.now();
  const res = await finalise(draft.version);
  expect(res.status).toBe(201);
  const first = (await res.json()) as MinutesFinalised;
  console.log(`[figures] minutes finalised (DOCX + PDF through LibreOffice) in ${Date.now() - started} ms`);
  expect(first).toMatchObject({ version: 1, pdfError: null });
  expect(first.files.map((f) => f.format)).toEqual(['docx', 'pdf']);

  const edited = await save('改为三级应急响应', draft.version);
  const second = (await (await finalise(edited.version)).json()) as MinutesFinalised;
  expect(second.version).toBe(2);
  const listed = (await (await api(t.url, token, `/api/v1/meetings/${id}/minutes/files`)).json()) as MinutesFileView[];
  expect(listed.map((f) => [f.version, f.format, f.issuedByName])).toEqual([
    [2, 'docx', expect.any(String)],
    [2, 'pdf', expect.any(String)],
    [1, 'docx', expect.any(String)],
    [1, 'pdf', expect.any(String)],
  ]);

  const download = async (file: MinutesFileView | undefined) => {
    const got = await api(t.url, token, file?.url ?? 'missing');
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent(file?.name ?? '')}`,
    );
    return { type: got.headers.get('content-type'), bytes: Buffer.from(await got.arrayBuffer()) };
  };
  const v1docx = await download(listed.find((f) => f.version === 1 && f.format === 'docx'));
  expect(v1docx.type).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  expect(await docxText(v1docx.bytes)).toContain('启动防汛四级应急响应');
  const v1pdf = await download(listed.find((f) => f.version === 1 && f.format === 'pdf'));
  expect(v1pdf.type).toBe('application/pdf');
  const v1text = pdfText(v1pdf.bytes);
  expect(v1text).toContain('启动防汛四级应急响应');
  expect(v1text).not.toContain('改为三级应急响应');
  expect(pdfText((await download(listed.find((f) => f.version === 2 && f.format === 'pdf'))).bytes)).toContain(
    '改为三级应急响应',
  );
  // The stored bytes, not a re-render: the same bytes twice, matching the hash signed.
  const again = await download(listed.find((f) => f.version === 1 && f.format === 'docx'));
  expect(again.bytes.equals(v1docx.bytes)).toBe(true);
});
