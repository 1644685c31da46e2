import { describe, expect, it } from 'vitest';
import { SpeakQueue } from './SpeakQueue.ts';

describe('SpeakQueue', () => {
  it('keeps requests in order, once per peer', () => {
    const q = new SpeakQueue();
    expect(q.request('a', '鹿城镇', new Date('2026-01-01T01:00:00Z'))).toBe(true);
    expect(q.request('b', '东瓜镇')).toBe(true);
    expect(q.request('a', '鹿城镇')).toBe(false); // keeps its place
    expect(q.list().map((r) => r.peerId)).toEqual(['a', 'b']);
    expect(q.list()[0]).toEqual({ peerId: 'a', displayName: '鹿城镇', at: '2026-01-01T01:00:00.000Z' });
    expect(q.remove('a')).toBe(true);
    expect(q.remove('a')).toBe(false);
    expect(q.has('b')).toBe(true);
    expect(q.list().map((r) => r.peerId)).toEqual(['b']);
  });
});
