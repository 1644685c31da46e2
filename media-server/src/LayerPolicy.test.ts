import { describe, expect, it } from 'vitest';
import { LayerPolicy } from './LayerPolicy.ts';

/** Feeds [time ms, score] samples and returns the preferred layer after each. */
function feed(policy: LayerPolicy, samples: [number, number][]): number[] {
  return samples.map(([at, score]) => policy.onScore(score, at));
}

/** Loss at the start (down to layer 0 by 2 s), then good scores: the first raise, at 13 s. */
function raisedOnceAfterLoss(): LayerPolicy {
  const policy = new LayerPolicy(2);
  expect(
    feed(policy, [
      [0, 5],
      [2_000, 5],
      [3_000, 10],
    ]),
  ).toEqual([1, 0, 0]);
  expect(policy.tick(13_000)).toBe(1);
  return policy;
}

describe('LayerPolicy', () => {
  it('starts at the top layer and follows the receiver cap', () => {
    const policy = new LayerPolicy(2);
    expect(policy.preferred).toBe(2);
    expect(policy.setCap(0)).toBe(0);
    expect(policy.setCap(5)).toBe(2); // clamped to the layers that exist
    expect(() => policy.setCap(-1)).toThrow(TypeError);
  });

  it('drops one layer per loss report, at most every 2 s', () => {
    const policy = new LayerPolicy(2);
    expect(
      feed(policy, [
        [0, 10],
        [1_000, 5],
        [1_500, 4],
        [2_999, 3],
        [3_000, 3],
        [3_500, 8],
      ]),
    ).toEqual([2, 1, 1, 1, 0, 0]);
    expect(policy.lossLimit).toBe(0);
    // Never below the bottom layer.
    expect(policy.onScore(0, 10_000)).toBe(0);
  });

  it('keeps dropping while a low score holds without new samples', () => {
    const policy = new LayerPolicy(2);
    policy.onScore(3, 0);
    expect(policy.nextEvaluationAt()).toBe(2_000);
    expect(policy.tick(2_000)).toBe(0);
    expect(policy.nextEvaluationAt()).toBeNull();
  });

  it('climbs back one layer per 10 s of continuous good score, up to the cap', () => {
    const policy = new LayerPolicy(2);
    feed(policy, [
      [0, 4],
      [2_000, 4],
    ]);
    expect(policy.preferred).toBe(0);
    // A fair (7-8) score interrupts the good run.
    expect(
      feed(policy, [
        [3_000, 9],
        [9_000, 8],
        [12_000, 10],
        [21_999, 10],
      ]),
    ).toEqual([0, 0, 0, 0]);
    expect(policy.nextEvaluationAt()).toBe(22_000);
    expect(policy.tick(22_000)).toBe(1);
    expect(policy.tick(31_999)).toBe(1);
    expect(policy.tick(32_000)).toBe(2);
    expect(policy.lossLimit).toBeNull(); // back at the cap: no longer limiting
    expect(policy.nextEvaluationAt()).toBeNull();
  });

  it('takes the lower of cap and loss limit, and a raised cap applies once the link is healthy', () => {
    const policy = new LayerPolicy(2);
    policy.setCap(1);
    expect(policy.onScore(5, 0)).toBe(0); // drops below the cap, not below the unused top layer
    expect(policy.setCap(2)).toBe(0); // the link is still limiting
    expect(
      feed(policy, [
        [1_000, 10],
        [11_000, 10],
      ]),
    ).toEqual([0, 1]);
    expect(policy.tick(21_000)).toBe(2);
    policy.setCap(0);
    expect(policy.preferred).toBe(0);
    expect(policy.setCap(2)).toBe(2);
  });

  it('backs off after a failed raise (a link that carries layer 0 but not 1), and resets once a raise holds', () => {
    const policy = raisedOnceAfterLoss(); // first raise after 10 s of good scores
    expect(policy.onScore(5, 15_000)).toBe(0); // … fails 2 s later
    expect(policy.raiseWaitMs).toBe(40_000);
    expect(policy.onScore(10, 16_000)).toBe(0);
    expect(policy.tick(55_999)).toBe(0); // no probe every 10 s
    expect(policy.nextEvaluationAt()).toBe(56_000);
    expect(policy.tick(56_000)).toBe(1);
    expect(policy.onScore(4, 57_000)).toBe(0); // fails again
    expect(policy.raiseWaitMs).toBe(160_000);
    expect(policy.onScore(10, 58_000)).toBe(0);
    expect(policy.tick(217_999)).toBe(0);
    expect(policy.tick(218_000)).toBe(1); // this time the link holds
    expect(policy.tick(277_999)).toBe(1);
    // Held 60 s: the wait is back to 10 s, long passed, so the next layer is tried at once.
    expect(policy.tick(278_000)).toBe(2);
    expect(policy.raiseWaitMs).toBe(10_000);
  });

  it('drops below the layer actually forwarded, not below a preferred one never reached', () => {
    const policy = new LayerPolicy(2);
    // Preferred 2, but the bandwidth estimate has mediasoup forwarding layer 1: a loss drop goes to 0.
    expect(policy.onScore(5, 0, 1)).toBe(0);
  });

  it('on a weak link a larger cap climbs again instead of jumping to a layer that just failed', () => {
    const policy = new LayerPolicy(2);
    policy.setCap(1); // a gallery tile
    expect(policy.onScore(5, 0)).toBe(0);
    expect(policy.onScore(10, 1_000)).toBe(0);
    expect(policy.tick(11_000)).toBe(1); // raise to the cap …
    expect(policy.onScore(5, 13_000)).toBe(0); // … fails: a weak link
    expect(policy.onScore(10, 14_000)).toBe(0);
    expect(policy.tick(54_000)).toBe(1); // raised to the cap again (after 40 s)
    expect(policy.lossLimit).toBe(1); // still limiting
    expect(policy.setCap(2)).toBe(1); // the tile becomes the main view: no jump to 2
  });

  it('sends a fresh raise back as soon as the score dips below good, and backs off', () => {
    const policy = raisedOnceAfterLoss();
    expect(policy.onScore(8, 16_000)).toBe(0); // "not bad" (8) would not lower a settled layer, but this one is on probation
    expect(policy.raiseWaitMs).toBe(40_000);
    // Long after a raise a score of 8 lowers nothing.
    const settled = new LayerPolicy(2);
    expect(settled.onScore(8, 0)).toBe(2);
  });
});
