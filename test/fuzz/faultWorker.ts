/**
 * Kill -9 of the mediasoup worker under a live meeting: two Chromium terminals (the chair and 紫溪镇) in
 * 全市周例会 send and receive camera video; the worker is killed, and the clock runs until each page decodes
 * frames again from consumers it did not have before the kill (the room was re-created on a respawned worker and
 * the console re-joined by itself).
 */
import type { Browser } from 'playwright-core';
import { mediaWorkerPids, startBeaconProcess } from '../src/beaconProcess.ts';
import { inboundStats, launchChromium, openTerminal, type Terminal } from '../src/browser.ts';
import { type FaultFigures, secondsUntil } from './faultFigures.ts';
import type { FuzzOptions } from './fuzzOptions.ts';

const ROOM = 'city-weekly';
const LIMIT_MS = 60_000;

/** Video inbound-rtp streams of the page that decoded frames, by stats id. */
async function decoding(terminal: Terminal): Promise<Map<string, number>> {
  const stats = await inboundStats(terminal.page);
  return new Map(
    stats.filter((s) => s.kind === 'video' && (s.framesDecoded ?? 0) > 0).map((s) => [s.id, s.framesDecoded ?? 0]),
  );
}

export async function workerFault(options: FuzzOptions): Promise<FaultFigures> {
  const beacon = await startBeaconProcess({ env: { LOG_LEVEL: options.FUZZ_LOG_LEVEL } });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const terminals = [
      await openTerminal(browser, beacon.url, 'chair', ROOM),
      await openTerminal(browser, beacon.url, 'zixi', ROOM),
    ];
    const before = new Map<Terminal, Set<string>>();
    for (const t of terminals) {
      const started = performance.now();
      const ok = await secondsUntil(started, async () => (await decoding(t)).size > 0, LIMIT_MS);
      if (ok === null) throw new Error(`${t.user} never decoded video before the kill`);
    }
    const [worker] = await mediaWorkerPids(beacon.pid);
    if (worker === undefined) throw new Error('no mediasoup worker found');
    // Streams the pages had before the kill: a frame decoded from one of them proves nothing about recovery.
    for (const t of terminals) before.set(t, new Set((await decoding(t)).keys()));
    const killedAt = performance.now();
    process.kill(worker, 'SIGKILL');
    const fresh = async (t: Terminal) => {
      const now = await decoding(t);
      return [...now.keys()].some((id) => !before.get(t)?.has(id));
    };
    const seconds = await secondsUntil(
      killedAt,
      async () => (await Promise.all(terminals.map(fresh))).every(Boolean),
      LIMIT_MS,
      250,
    );
    const respawned = (await mediaWorkerPids(beacon.pid)).filter((pid) => pid !== worker).length;
    return {
      fault: 'mediasoup worker (kill -9)',
      recovered: seconds !== null,
      secondsToRecover: seconds,
      recoveredWhen: 'both Chromium pages decode video from new consumers',
      ackedButLost: null,
      note: `workers alive after: ${respawned}`,
    };
  } finally {
    await browser?.close();
    await beacon.stop();
  }
}
