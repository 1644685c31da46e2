import { describe, expect, it } from 'vitest';
import en from './messages/en.ts';
import zhCN from './messages/zh-CN.ts';
import { upstreamStateKey } from './upstreamState.ts';

/** The message a key names, e.g. `upstream.states.incoming`. */
function message(messages: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], messages);
}

describe('upstreamStateKey', () => {
  it('says the upstream called in for its own call, and the plain state otherwise', () => {
    expect(upstreamStateKey({ state: 'connected', incoming: true })).toBe('upstream.states.incoming');
    expect(upstreamStateKey({ state: 'connected', incoming: false })).toBe('upstream.states.connected');
    expect(upstreamStateKey({ state: 'redialling', incoming: false })).toBe('upstream.states.redialling');
  });

  it('has the words in both languages', () => {
    expect(message(zhCN, upstreamStateKey({ state: 'connected', incoming: true }))).toBe('上级呼入');
    expect(message(en, upstreamStateKey({ state: 'connected', incoming: true }))).toBe('upstream called in');
    expect(message(zhCN, upstreamStateKey({ state: 'connected', incoming: false }))).toBe('已连接上级会场');
  });
});
