/** Whether a page hears someone: its inbound audio grows and is louder than silence. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { inboundStats } from './browser.ts';

/** Above the fake mic's silence and comfort noise; a phone's tone or voice is well over it. */
const HEARD_LEVEL = 0.01;

/**
 * Resolves once, over one second, some inbound audio stream of `page` received packets at a level above silence;
 * throws naming `who` and the last figures after `timeoutMs`.
 */
export async function expectPageHears(page: Page, who: string, timeoutMs = 30_000): Promise<void> {
  const sample = async () =>
    (await inboundStats(page))
      .filter((s) => s.kind === 'audio')
      .map((s) => ({ packets: s.packetsReceived ?? 0, level: s.audioLevel ?? 0 }));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = await sample();
    await sleep(1000);
    const last = await sample();
    if (last.some((s, i) => s.packets > (before[i]?.packets ?? 0) && s.level > HEARD_LEVEL)) return;
    if (Date.now() > deadline) throw new Error(`the browser never heard ${who}: ${JSON.stringify(last)}`);
  }
}
