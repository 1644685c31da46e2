/**
 * A material presented in a booked meeting, in real browsers: the secretary books a meeting that starts at once
 * for a township with a two-page Word document (made here with the `docx` library); the township's terminal
 * joins by itself at the start; the chair, in the room, presents the document — the server renders it with
 * LibreOffice and pdftoppm — and turns to page 2: the terminal's main view shows page 2's image.
 */
import type { BookingSaved, MaterialView } from '@beacon/protocol';
import { Document, Packer, PageBreak, Paragraph, TextRun } from 'docx';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { useE2e } from '../src/e2eFixture.ts';
import { apiJson } from '../src/signaling.ts';
import { waitFor } from '../src/waitFor.ts';

const e2e = useE2e({ beacon: { env: { BEACON_MEETING_TICK_MS: '1000' } } });

const attr = (page: Page, testId: string, name: string) =>
  page
    .getByTestId(testId)
    .first()
    .getAttribute(name, { timeout: 1000 })
    .catch(() => null);

async function twoPages(): Promise<Buffer> {
  return Packer.toBuffer(
    new Document({
      sections: [
        {
          children: [
            new Paragraph({ children: [new TextRun('第一页：汛情通报'), new PageBreak()] }),
            new Paragraph({ children: [new TextRun('第二页：工作部署')] }),
          ],
        },
      ],
    }),
  );
}

it('the chair presents a document and the terminal follows to page 2', async () => {
  const token = await e2e.token('admin');
  const upload = await fetch(`${e2e.url}/api/v1/meetings/materials?name=${encodeURIComponent('汛情通报.docx')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: await twoPages(),
  });
  expect(upload.status).toBe(201);
  const material = (await upload.json()) as MaterialView;

  const zixi = await e2e.openPage('zixi', '#/terminal');
  await waitFor(
    'the terminal online',
    () => attr(zixi, 'terminal-page', 'data-connection'),
    (c) => c === 'online',
  );
  const saved = await apiJson<BookingSaved>(e2e.url, token, '/api/v1/meetings', {
    method: 'POST',
    body: JSON.stringify({
      title: '防汛材料通报会',
      kind: 'work',
      startsAt: new Date(Date.now() + 2_000).toISOString(),
      endsAt: new Date(Date.now() + 30 * 60_000).toISOString(),
      roomId: null,
      chairId: 'u-admin',
      invitees: [{ kind: 'township', id: 'zixi' }],
      materialIds: [material.id],
    }),
  });
  const chair = await e2e.openPage('admin', `#/room/${saved.booking.roomId}`);
  for (const page of [chair, zixi]) {
    await expect
      .poll(() => attr(page, 'conference', 'data-state'), { timeout: 120_000, interval: 1000 })
      .toBe('joined');
  }

  // The first time converts (LibreOffice, then pdftoppm): generous on a slow machine.
  await chair.getByTestId(`present-${material.id}`).click({ timeout: 30_000 });
  await expect.poll(() => attr(zixi, 'presented-page', 'data-page'), { timeout: 120_000, interval: 500 }).toBe('1');
  expect(await attr(zixi, 'presented-page', 'data-pages')).toBe('2');
  await chair.getByTestId('present-next').click();
  await expect.poll(() => attr(zixi, 'presented-page', 'data-page'), { timeout: 30_000, interval: 500 }).toBe('2');
  // The page is an image the terminal decoded, not only an attribute.
  const decoded = await zixi.getByTestId('presented-image').evaluate((img) => {
    const shown = img as unknown as { complete: boolean; naturalWidth: number };
    return shown.complete ? shown.naturalWidth : 0;
  });
  expect(decoded).toBeGreaterThan(0);
  expect(await chair.getByTestId('present-page').textContent()).toContain('2');
});
