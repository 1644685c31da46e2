/**
 * Information reporting (信息报送) in real browsers: 紫溪镇's terminal reports
 * a landslide with a photo file → the duty officer's inbox shows it with the
 * photo's thumbnail and a marker on the map → verified → an incident is
 * created and the chain is on its timeline; the officer asks for more and the
 * township answers on its terminal.
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { testIdAttribute as attr } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';

let duty: Page;
let zixi: Page;

describe('information reporting from a township terminal to the duty desk', () => {
  const e2e = useE2e();

  beforeAll(async () => {
    zixi = await e2e.openPage('zixi', '#/terminal');
    await zixi.getByTestId('terminal-page').waitFor({ timeout: 15_000 });
    duty = await e2e.openPage('duty', '#/command');
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
    await duty.getByTestId('command-tab-inbox').click();
    await duty.getByTestId('inbox').waitFor({ timeout: 15_000 });
  });

  it('carries the report with its photo to the inbox, is verified and becomes an incident with the chain on its timeline', async () => {
    const photo = await sharp({ create: { width: 1024, height: 768, channels: 3, background: '#8a6d3b' } })
      .jpeg()
      .toBuffer();
    await zixi.getByTestId('report-open').click();
    await zixi.getByTestId('report-type').selectOption('landslide');
    await zixi.getByTestId('report-title').fill('大村公路边山体滑坡');
    await zixi.getByTestId('report-description').fill('公路边坡垮塌约 200 方，3 人被困');
    await zixi.getByTestId('report-trapped').fill('3');
    // Where it happened: a tap on the form's map (else the township's seat).
    await zixi.getByTestId('report-map').click({ position: { x: 80, y: 60 } });
    await expect.poll(() => zixi.getByTestId('report-form').textContent(), { timeout: 5_000 }).toContain('已选');
    await zixi
      .getByTestId('report-photos')
      .setInputFiles({ name: 'landslide.jpg', mimeType: 'image/jpeg', buffer: photo });
    await zixi.getByTestId('report-submit').click();
    await zixi.getByTestId('report-chain').first().waitFor({ timeout: 15_000 });

    const chain = duty.getByTestId('inbox-chain').filter({ hasText: '大村公路边山体滑坡' });
    await chain.waitFor({ timeout: 15_000 });
    await expect.poll(() => chain.locator('[data-testid="inbox-photo"] img').count(), { timeout: 15_000 }).toBe(1);
    // The thumbnail really decoded (a blob of the served JPEG, not the alt text).
    await expect
      .poll(
        () =>
          chain
            .locator('[data-testid="inbox-photo"] img')
            .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
        {
          timeout: 15_000,
        },
      )
      .toBe(320);
    expect(await duty.getByTestId('report-marker').count()).toBeGreaterThan(0);

    await chain.getByTestId('inbox-verify').click();
    await expect.poll(() => chain.getAttribute('data-state'), { timeout: 10_000 }).toBe('verified');
    await expect.poll(() => attr(zixi, 'report-chain', 'data-state'), { timeout: 10_000 }).toBe('verified');

    await chain.getByTestId('inbox-incident').click();
    await expect.poll(() => chain.getAttribute('data-state'), { timeout: 10_000 }).toBe('linked');
    await chain.getByTestId('inbox-show-incident').click();
    const timeline = duty.getByTestId('incident-timeline');
    await timeline.waitFor({ timeout: 10_000 });
    await expect.poll(() => timeline.textContent(), { timeout: 10_000 }).toContain('首报');
    expect(await timeline.textContent()).toContain('紫溪镇');
  });

  it('lets the duty officer ask for more and shows the township’s answer', async () => {
    await duty.getByTestId('command-tab-inbox').click();
    const chain = duty.getByTestId('inbox-chain').filter({ hasText: '大村公路边山体滑坡' });
    await chain.getByTestId('inbox-ask-input').fill('被困人员的具体位置？');
    await chain.getByTestId('inbox-ask').click();

    const question = zixi.getByTestId('report-question').filter({ hasText: '被困人员的具体位置？' });
    await question.waitFor({ timeout: 15_000 });
    await question.getByTestId('report-answer-input').fill('垮塌点下方两户民房内');
    await question.getByTestId('report-answer-send').click();

    await expect
      .poll(
        () =>
          chain
            .getByTestId('inbox-answer')
            .first()
            .textContent()
            .catch(() => ''),
        { timeout: 15_000 },
      )
      .toContain('垮塌点下方两户民房内');
  });
});
