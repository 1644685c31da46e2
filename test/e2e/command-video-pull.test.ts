/**
 * Video pull (监控调阅) in real Chromium: a township account lands on its
 * terminal page; the duty officer pulls its camera onto the command room's
 * video wall (`pull:start`, audience join of the pull room), the panel decodes
 * the terminal's fake camera (video only, no mic) and can snapshot it; closing
 * the panel (`pull:stop`) makes the terminal leave the room. Another
 * township cannot watch through the pull room's link (`not_a_member`). A pull
 * of a township whose terminal is offline is refused and adds no panel.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { testIdAttribute } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';

interface WallHooks {
  open(townshipId: string): Promise<void>;
  panels(): string[];
  framesDecoded(townshipId: string): Promise<number>;
  trackKinds(townshipId: string): string[];
  snapshot(townshipId: string): Promise<string | null>;
}

const TOWNSHIP = 'lucheng';

/** Calls `window.__beaconVideoWall[method](townshipId)` in the page; a rejection comes back as its error code. */
function wall<M extends keyof WallHooks>(
  page: Page,
  method: M,
  townshipId = TOWNSHIP,
): Promise<Awaited<ReturnType<WallHooks[M]>> | { rejected: string }> {
  return page.evaluate(
    async ([name, id]) => {
      const hooks = (globalThis as unknown as { __beaconVideoWall: Record<string, (id: string) => unknown> })
        .__beaconVideoWall;
      try {
        return JSON.parse(JSON.stringify((await hooks[name]?.(id)) ?? null));
      } catch (error) {
        return { rejected: (error as { code?: string }).code ?? String(error) };
      }
    },
    [method, townshipId] as const,
  );
}

describe('video pull (监控调阅)', () => {
  const e2e = useE2e();
  let terminal: Page;
  let duty: Page;

  it('a township account lands on its terminal page and goes online', async () => {
    terminal = await e2e.openPage(TOWNSHIP);
    await expect
      .poll(() => terminal.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash), {
        timeout: 10_000,
      })
      .toBe('#/terminal');
    await expect
      .poll(() => testIdAttribute(terminal, 'terminal-page', 'data-connection'), { timeout: 10_000 })
      .toBe('online');
    expect(await terminal.getByTestId('pull-indicator').count()).toBe(0);
  });

  it('the duty officer pulls the terminal camera: the panel decodes video only, the terminal shows it is pulled', async () => {
    duty = await e2e.openPage('duty', '#/command');
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
    expect(await wall(duty, 'open')).toBeNull();

    await terminal.getByTestId('pull-indicator').waitFor({ timeout: 15_000 });
    expect(await testIdAttribute(terminal, 'pull-indicator', 'data-room-id')).toBe(`pull-${TOWNSHIP}`);
    await duty.getByTestId(`pulled-video-${TOWNSHIP}`).locator('video').waitFor({ timeout: 5_000 });

    // Frames keep arriving: decoded once, then more later.
    await expect.poll(() => wall(duty, 'framesDecoded'), { timeout: 20_000 }).toBeGreaterThan(0);
    const before = Number(await wall(duty, 'framesDecoded'));
    await expect.poll(() => wall(duty, 'framesDecoded'), { timeout: 10_000 }).toBeGreaterThan(before);
    // Camera only: the terminal sends no mic into a pull.
    expect(await wall(duty, 'trackKinds')).toEqual(['video']);

    const snapshot = await wall(duty, 'snapshot');
    expect(snapshot).toMatch(/^data:image\/jpeg;base64,[A-Za-z0-9+/=]{100,}$/);
  });

  it("another township opening the pull room's link is refused (not a member) and told so in Chinese", async () => {
    const other = await e2e.openTerminal('donggua', `pull-${TOWNSHIP}`, { expectJoined: false });
    await expect
      .poll(() => testIdAttribute(other.page, 'conference', 'data-error-code'), { timeout: 15_000 })
      .toBe('not_a_member');
    await expect
      .poll(() => other.page.getByText('该会议仅限受邀单位参加').count(), { timeout: 5_000 })
      .toBeGreaterThan(0);
    // The duty desk still decodes the terminal's camera.
    const before = Number(await wall(duty, 'framesDecoded'));
    await expect.poll(() => wall(duty, 'framesDecoded'), { timeout: 10_000 }).toBeGreaterThan(before);
    await other.context.close();
  });

  it('a township whose terminal is offline cannot be pulled: refused, no panel', async () => {
    const refusal = await wall(duty, 'open', 'donggua');
    expect(refusal).toEqual({ rejected: 'terminal_offline' });
    expect(await wall(duty, 'panels')).toEqual([TOWNSHIP]);
  });

  it('closing the panel stops the pull: the terminal leaves the pull room', async () => {
    await duty.getByTestId(`pulled-close-${TOWNSHIP}`).click();
    await expect.poll(() => duty.getByTestId(`pulled-video-${TOWNSHIP}`).count(), { timeout: 5_000 }).toBe(0);
    await expect.poll(() => terminal.getByTestId('pull-indicator').count(), { timeout: 10_000 }).toBe(0);
    expect(await wall(duty, 'panels')).toEqual([]);
  });
});
