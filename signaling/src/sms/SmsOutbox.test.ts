import { describe, expect, it } from 'vitest';
import { NumberRateLimiter } from './NumberRateLimiter.ts';
import { SmsOutbox } from './SmsOutbox.ts';
import type { SmsGateway, SmsJob, SmsSubmission, SubmitResult } from './SmsOutboxTypes.ts';

/** A gateway that answers when told to: the outbox's side of the contract, without Kannel. */
class HeldGateway implements SmsGateway {
  readonly calls: SmsSubmission[] = [];
  readonly #answers: ((r: SubmitResult) => void)[] = [];
  submit(sms: SmsSubmission): Promise<SubmitResult> {
    this.calls.push(sms);
    return new Promise((resolve) => this.#answers.push(resolve));
  }
  answerAll(result: SubmitResult): void {
    for (const answer of this.#answers.splice(0)) answer(result);
  }
}

const job = (n: number, to = `1380000${String(n).padStart(4, '0')}`): SmsJob => ({
  recipientId: `r${n}`,
  attempt: 1,
  submission: { to, text: '雨', reportUrl: 'http://x' },
});

describe('SMS outbox', () => {
  it('keeps at most `concurrency` submissions in flight and reports every answer', async () => {
    const gateway = new HeldGateway();
    const outbox = new SmsOutbox({ gateway, limiter: new NumberRateLimiter(), concurrency: 3 });
    const results: [SmsJob, SubmitResult][] = [];
    outbox.on('result', (j, r) => results.push([j, r]));
    for (let n = 0; n < 7; n++) outbox.enqueue(job(n));
    expect(gateway.calls).toHaveLength(3);
    expect(outbox.pending).toBe(7);
    while (results.length < 7) {
      gateway.answerAll({ ok: true, queued: false });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(gateway.calls).toHaveLength(7);
    expect(results.map(([j]) => j.recipientId).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(outbox.pending).toBe(0);
    outbox.close();
  });

  it('holds a number over its rate back instead of dropping it', async () => {
    const gateway = new HeldGateway();
    let now = 0;
    const outbox = new SmsOutbox({
      gateway,
      limiter: new NumberRateLimiter({ perHour: 3600, burst: 1 }),
      now: () => now,
    });
    outbox.enqueue(job(1, '13800000001'));
    outbox.enqueue(job(2, '13800000001'));
    outbox.enqueue(job(3, '13800000002'));
    // One per second for that number: the second waits (a timer), the other number goes.
    expect(gateway.calls.map((c) => c.to)).toEqual(['13800000001', '13800000002']);
    expect(outbox.pending).toBe(3);
    now = 1000;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(gateway.calls.map((c) => c.to)).toEqual(['13800000001', '13800000002', '13800000001']);
    outbox.close();
  });
});
