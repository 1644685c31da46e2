import { describe, expect, it } from 'vitest';
import { ReceiveBudget } from './ReceiveBudget.ts';

const KBIT = 1000;

/** One sample a second from `from` to `to` (ms, inclusive) with the same figures; returns the last budget. */
function hold(
  budget: ReceiveBudget,
  from: number,
  to: number,
  figures: { loss: number; sentKbit: number; demandKbit: number },
): number | null {
  let last: number | null = budget.budget;
  for (let now = from; now <= to; now += 1_000) {
    last = budget.onSample({
      now,
      loss: figures.loss,
      sentBitrate: figures.sentKbit * KBIT,
      demandBitrate: figures.demandKbit * KBIT,
    });
  }
  return last;
}

describe('ReceiveBudget', () => {
  it('does not limit a clean link, nor one with a few % of random loss', () => {
    const budget = new ReceiveBudget();
    expect(hold(budget, 0, 60_000, { loss: 0, sentKbit: 1800, demandKbit: 1800 })).toBeNull();
    expect(hold(budget, 61_000, 120_000, { loss: 0.03, sentKbit: 1800, demandKbit: 1800 })).toBeNull();
    // Without transport-cc feedback there is nothing to learn from.
    expect(budget.onSample({ now: 121_000, loss: undefined, sentBitrate: 9e6, demandBitrate: 9e6 })).toBeNull();
  });

  it('an overfilled link: the budget becomes what was delivered, with a margin, at most every 3 s', () => {
    const budget = new ReceiveBudget();
    // 500 kbit/s into a 300 kbit/s link: 40 % lost.
    expect(budget.onSample({ now: 0, loss: 0.4, sentBitrate: 500 * KBIT, demandBitrate: 500 * KBIT })).toBe(
      Math.round(500 * KBIT * 0.6 * 0.85),
    );
    // The next sample still shows the old loss (mediasoup averages the last feedbacks): not lowered again.
    expect(budget.onSample({ now: 1_000, loss: 0.3, sentBitrate: 300 * KBIT, demandBitrate: 500 * KBIT })).toBe(
      255 * KBIT,
    );
    // Still congested 3 s later: lower from what is delivered now, never raise on congestion.
    expect(budget.onSample({ now: 3_000, loss: 0.2, sentBitrate: 280 * KBIT, demandBitrate: 500 * KBIT })).toBe(
      Math.round(280 * KBIT * 0.8 * 0.85),
    );
    // Sending within the budget and still losing (the tail of an overfill already answered, or a smaller
    // link): a quarter down per step, not to what the last second happened to carry.
    expect(budget.onSample({ now: 6_000, loss: 0.5, sentBitrate: 9 * KBIT, demandBitrate: 500 * KBIT })).toBe(142_800);
    // Sending above it: straight to what was delivered, never below the floor.
    expect(budget.onSample({ now: 9_000, loss: 0.9, sentBitrate: 200 * KBIT, demandBitrate: 500 * KBIT })).toBe(
      30 * KBIT,
    );
  });

  it('two samples running over 8 % are congestion, one over 20 % is enough', () => {
    const budget = new ReceiveBudget();
    expect(budget.onSample({ now: 0, loss: 0.09, sentBitrate: 400 * KBIT, demandBitrate: 400 * KBIT })).toBeNull();
    expect(budget.onSample({ now: 1_000, loss: 0.1, sentBitrate: 400 * KBIT, demandBitrate: 400 * KBIT })).toBe(
      Math.round(400 * KBIT * 0.9 * 0.85),
    );
    const severe = new ReceiveBudget();
    expect(severe.onSample({ now: 0, loss: 0.2, sentBitrate: 400 * KBIT, demandBitrate: 400 * KBIT })).toBe(
      Math.round(400 * KBIT * 0.8 * 0.85),
    );
  });

  it('on a link with 6 % of random loss the line is twice that: 9 % is no congestion, 13 % is', () => {
    const budget = new ReceiveBudget();
    expect(hold(budget, 0, 30_000, { loss: 0.06, sentKbit: 400, demandKbit: 400 })).toBeNull();
    expect(hold(budget, 31_000, 33_000, { loss: 0.09, sentKbit: 400, demandKbit: 400 })).toBeNull();
    expect(hold(budget, 34_000, 35_000, { loss: 0.13, sentKbit: 400, demandKbit: 400 })).toBe(
      Math.round(400 * KBIT * 0.87 * 0.85),
    );
  });

  it('climbs back by half after 10 s clean while the receivers want more, then lifts once not limiting', () => {
    const budget = new ReceiveBudget();
    budget.onSample({ now: 0, loss: 0.4, sentBitrate: 500 * KBIT, demandBitrate: 2000 * KBIT });
    expect(budget.budget).toBe(255 * KBIT);
    // 3 % random loss reads 0-9 % from second to second: one sample over 8 % is noise — no drop —
    // but it restarts the clean run a raise needs.
    for (let now = 1_000; now <= 20_000; now += 1_000) {
      const loss = now % 5_000 === 0 ? 0.09 : 0.03;
      expect(budget.onSample({ now, loss, sentBitrate: 250 * KBIT, demandBitrate: 2000 * KBIT })).toBe(255 * KBIT);
    }
    expect(hold(budget, 21_000, 30_000, { loss: 0.02, sentKbit: 250, demandKbit: 2000 })).toBe(255 * KBIT);
    expect(hold(budget, 31_000, 31_000, { loss: 0.02, sentKbit: 250, demandKbit: 2000 })).toBe(382_500);
    // A probe at a time: the room is used (more than 255 sent) and 15 s pass clean — proven; the next step
    // never goes much beyond what is wanted.
    expect(hold(budget, 32_000, 46_000, { loss: 0.01, sentKbit: 380, demandKbit: 500 })).toBe(382_500);
    expect(hold(budget, 47_000, 47_000, { loss: 0.01, sentKbit: 380, demandKbit: 500 })).toBe(550 * KBIT);
    expect(hold(budget, 48_000, 62_000, { loss: 0.01, sentKbit: 500, demandKbit: 500 })).toBe(550 * KBIT);
    // Not limiting any more: a minute after the last raise (each raise starts a new clean run) it goes away.
    expect(hold(budget, 63_000, 106_000, { loss: 0.01, sentKbit: 500, demandKbit: 500 })).toBe(550 * KBIT);
    expect(hold(budget, 107_000, 107_000, { loss: 0.01, sentKbit: 500, demandKbit: 500 })).toBeNull();
  });
  it('a raise that overfills the link makes the next one wait 4× longer (10 s, 40 s, 160 s, at most 5 min)', () => {
    const budget = new ReceiveBudget();
    const township = { sentKbit: 200, demandKbit: 1500 };
    budget.onSample({ now: 0, loss: 0.4, sentBitrate: 400 * KBIT, demandBitrate: 1500 * KBIT });
    const low = budget.budget as number;
    let now = 1_000;
    const raises: number[] = [];
    for (let probe = 0; probe < 5; probe++) {
      // Clean until the next raise…
      const before = budget.budget;
      while (budget.budget === before) {
        budget.onSample({
          now,
          loss: 0.03,
          sentBitrate: township.sentKbit * KBIT,
          demandBitrate: township.demandKbit * KBIT,
        });
        now += 1_000;
      }
      raises.push(now - 1_000);
      // … which overfills the link: congestion 2 s later brings it back.
      now += 1_000;
      budget.onSample({ now, loss: 0.5, sentBitrate: 400 * KBIT, demandBitrate: 1500 * KBIT });
      expect(budget.budget).toBeLessThanOrEqual(low);
      now += 1_000;
    }
    const waits = raises.map((at, i) => at - (i === 0 ? 1_000 : (raises[i - 1] as number) + 2_000));
    // The first clean sample starts the run: 10 s after it; then 40 s, 160 s, 300 s, 300 s.
    expect(waits).toEqual([10_000, 41_000, 161_000, 301_000, 301_000]);
    expect(budget.raiseWaitMs).toBe(300_000);
  });

  it('a raise goes no further than twice what was sent lately; a probe nobody uses is undone and backs off', () => {
    const budget = new ReceiveBudget();
    budget.onSample({ now: 0, loss: 0.4, sentBitrate: 400 * KBIT, demandBitrate: 1500 * KBIT });
    expect(budget.budget).toBe(204 * KBIT);
    // mediasoup keeps sending 150 kbit/s (the next layer needs more than the raise allows).
    expect(hold(budget, 1_000, 11_000, { loss: 0.02, sentKbit: 150, demandKbit: 1500 })).toBe(300 * KBIT);
    expect(hold(budget, 12_000, 26_000, { loss: 0.02, sentKbit: 150, demandKbit: 1500 })).toBe(300 * KBIT);
    // Unused after 15 s: back to where it was, and the next probe waits 40 s.
    expect(hold(budget, 27_000, 27_000, { loss: 0.02, sentKbit: 150, demandKbit: 1500 })).toBe(204 * KBIT);
    expect(budget.raiseWaitMs).toBe(40_000);
    expect(hold(budget, 28_000, 50_000, { loss: 0.02, sentKbit: 150, demandKbit: 1500 })).toBe(204 * KBIT);
    expect(hold(budget, 51_000, 51_000, { loss: 0.02, sentKbit: 150, demandKbit: 1500 })).toBe(300 * KBIT);
    // This time mediasoup switches layers within the window and overfills the link: failed — back to at most
    // the budget it was proven at (what was delivered, 229.5 kbit/s, is above it) — and 160 s next.
    budget.onSample({ now: 55_000, loss: 0.4, sentBitrate: 450 * KBIT, demandBitrate: 1500 * KBIT });
    expect(budget.budget).toBe(204 * KBIT);
    expect(budget.raiseWaitMs).toBe(160_000);
  });
  it('a used probe that stays clean for 15 s is proven: the wait is back to 10 s', () => {
    const budget = new ReceiveBudget();
    budget.onSample({ now: 0, loss: 0.4, sentBitrate: 400 * KBIT, demandBitrate: 1500 * KBIT });
    hold(budget, 1_000, 11_000, { loss: 0.03, sentKbit: 200, demandKbit: 1500 }); // raise at 11 s
    budget.onSample({ now: 13_000, loss: 0.3, sentBitrate: 400 * KBIT, demandBitrate: 1500 * KBIT }); // failed
    expect(budget.raiseWaitMs).toBe(40_000);
    // The next probe (40 s clean later) is used — more sent than the budget before it — and stays clean.
    hold(budget, 14_000, 54_000, { loss: 0.02, sentKbit: 200, demandKbit: 1500 });
    expect(budget.raiseWaitMs).toBe(40_000);
    hold(budget, 55_000, 71_000, { loss: 0.02, sentKbit: 300, demandKbit: 1500 });
    expect(budget.raiseWaitMs).toBe(10_000);
  });

  it('every video held back: the raise aims for the audio plus the main view’s lowest layer, not twice the audio', () => {
    const budget = new ReceiveBudget();
    // Lowered hard during a spell of congestion: 95 kbit/s — the main view's 150 kbit/s layer and the
    // 45 kbit/s of audio no longer fit, so only the audio is sent.
    budget.onSample({ now: 0, loss: 0.6, sentBitrate: 186 * KBIT, demandBitrate: 900 * KBIT });
    expect(budget.budget).toBe(Math.round(186 * KBIT * 0.4 * 0.85));
    const heldBack = { loss: 0.01, sentBitrate: 45 * KBIT, demandBitrate: 900 * KBIT, firstLayerBitrate: 195 * KBIT };
    for (let now = 1_000; now <= 11_000; now += 1_000) budget.onSample({ now, ...heldBack });
    // A step to twice the audio (90 kbit/s) would carry no layer, be used by nobody and be undone; the step is
    // to the first layer with a margin.
    expect(budget.budget).toBe(Math.round(195 * KBIT * 1.1));
    // Without the first layer, the step is as before: at most twice what was sent.
    const blind = new ReceiveBudget();
    blind.onSample({ now: 0, loss: 0.6, sentBitrate: 186 * KBIT, demandBitrate: 900 * KBIT });
    expect(hold(blind, 1_000, 11_000, { loss: 0.01, sentKbit: 45, demandKbit: 900 })).toBe(90 * KBIT);
  });

  it('started from a remembered budget: rises while the receivers want more, lowers on congestion, lifts when not limiting', () => {
    const rising = new ReceiveBudget();
    rising.startFrom(250 * KBIT);
    // Limited before any feedback: the first consumers get what fits 250 kbit/s.
    expect(rising.onSample({ now: 0, loss: undefined, sentBitrate: 0, demandBitrate: 2000 * KBIT })).toBe(250 * KBIT);
    // A link better than last time (loopback): the first raise after 10 s clean, then step by step.
    expect(hold(rising, 1_000, 10_000, { loss: 0, sentKbit: 240, demandKbit: 2000 })).toBe(250 * KBIT);
    expect(hold(rising, 11_000, 11_000, { loss: 0, sentKbit: 240, demandKbit: 2000 })).toBe(375 * KBIT);
    expect(hold(rising, 12_000, 27_000, { loss: 0, sentKbit: 370, demandKbit: 2000 })).toBe(562_500);

    const congested = new ReceiveBudget();
    congested.startFrom(250 * KBIT);
    // Worse than last time: down as any budget (sending within it: at most a quarter per step).
    expect(hold(congested, 0, 1_000, { loss: 0.3, sentKbit: 250, demandKbit: 2000 })).toBe(187_500);

    const lifted = new ReceiveBudget();
    lifted.startFrom(250 * KBIT);
    // Wanting no more than the budget (audio only) and clean for a minute: no limit at all.
    expect(hold(lifted, 0, 59_000, { loss: 0.01, sentKbit: 60, demandKbit: 64 })).toBe(250 * KBIT);
    expect(hold(lifted, 60_000, 60_000, { loss: 0.01, sentKbit: 60, demandKbit: 64 })).toBeNull();
  });
});
