import { describe, expect, it } from 'vitest';
import { decideMetricsAccess, isLoopbackAddress } from './metricsAccess.ts';

const TOKEN = 'a-scrape-token-of-at-least-32-characters';

describe('metrics access', () => {
  it('treats 127/8, ::1 and their IPv4-mapped forms as loopback, nothing else', () => {
    for (const ip of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(ip), ip).toBe(true);
    for (const ip of ['10.0.0.1', '192.168.1.5', '::ffff:10.0.0.1', 'fe80::1', '0.0.0.0', '', undefined]) {
      expect(isLoopbackAddress(ip), String(ip)).toBe(false);
    }
  });

  it('lets loopback in while trusted, and only then', () => {
    const local = { ip: '127.0.0.1', authorization: undefined };
    expect(decideMetricsAccess({ token: null, trustLoopback: true }, local)).toBe('loopback');
    expect(decideMetricsAccess({ token: null, trustLoopback: false }, local)).toBe('refused');
    expect(
      decideMetricsAccess({ token: TOKEN, trustLoopback: true }, { ip: '10.1.2.3', authorization: undefined }),
    ).toBe('refused');
  });

  it('accepts exactly the configured bearer token, from anywhere', () => {
    const opts = { token: TOKEN, trustLoopback: false };
    const from = (authorization: string | undefined) => decideMetricsAccess(opts, { ip: '203.0.113.7', authorization });
    expect(from(`Bearer ${TOKEN}`)).toBe('token');
    expect(from(`bearer ${TOKEN}`)).toBe('token');
    for (const wrong of [
      undefined,
      '',
      'Bearer',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
    ]) {
      expect(from(wrong), String(wrong)).toBe('refused');
    }
    // No token configured: no bearer value opens it.
    expect(
      decideMetricsAccess({ token: null, trustLoopback: false }, { ip: '203.0.113.7', authorization: 'Bearer ' }),
    ).toBe('refused');
  });
});
