import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyFrameRequests } from './KeyFrameRequests.ts';

describe('KeyFrameRequests', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the first request at once and folds a burst into one more at the end of the interval', () => {
    const sent: number[] = [];
    const requests = new KeyFrameRequests(() => sent.push(Date.now()), 2000);
    const start = Date.now();
    requests.request();
    expect(sent).toEqual([start]);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(100);
      requests.request();
    }
    expect(sent.length).toBe(1);
    vi.advanceTimersByTime(999);
    expect(sent.length).toBe(1);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([start, start + 2000]);
    // Quiet since: the next request goes at once again once the interval has passed.
    vi.advanceTimersByTime(2000);
    requests.request();
    expect(sent).toEqual([start, start + 2000, start + 4000]);
    expect(requests.sent).toBe(3);
  });

  it('sends nothing after close, not even a request that was waiting', () => {
    const send = vi.fn();
    const requests = new KeyFrameRequests(send, 2000);
    requests.request();
    requests.request();
    requests.close();
    vi.advanceTimersByTime(5000);
    requests.request();
    expect(send).toHaveBeenCalledTimes(1);
  });
});
