/**
 * The command room's warning area in a browser test: Playwright cannot draw
 * with leaflet-geoman reliably, so the console's test hook puts the polygon
 * on the map exactly as the drawing tool would; the preview list then names
 * the townships the server computed.
 */
import type { Page } from 'playwright-core';
import { waitFor } from './waitFor.ts';

/** Draws a [lat, lon] polygon on the duty officer's map (the warnings tab must be open). */
export async function drawWarningPolygon(page: Page, points: [number, number][]): Promise<void> {
  await page.evaluate((ring) => {
    const hook = (globalThis as unknown as { __beaconCommand: { drawPolygon(p: [number, number][]): void } })
      .__beaconCommand;
    hook.drawPolygon(ring);
  }, points);
}

/** The townships of the warning preview, in the order shown, once there are any. */
export function previewedTownships(page: Page): Promise<(string | null)[]> {
  return waitFor(
    'the affected townships',
    () =>
      page
        .locator('[data-testid="warning-affected"] li')
        .evaluateAll((items) => items.map((li) => li.getAttribute('data-township-id'))),
    (ids) => ids.length > 0,
  );
}
