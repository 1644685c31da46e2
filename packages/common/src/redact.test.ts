import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { rootLoggerOptions } from './logger.ts';
import { redactUrl } from './redact.ts';

describe('redactUrl', () => {
  it('replaces credential query values and URL passwords, keeps the rest', () => {
    expect(redactUrl('/api/v1/recordings/r1/file?token=eyJhbGciOi.x.y&download=1')).toBe(
      '/api/v1/recordings/r1/file?token=[redacted]&download=1',
    );
    expect(redactUrl('/api/v1/recordings/r1/file?expires=1700000000&sig=AbC-_9')).toBe(
      '/api/v1/recordings/r1/file?expires=1700000000&sig=[redacted]',
    );
    expect(redactUrl('https://t0.tianditu.gov.cn/x?TK=abc#frag')).toBe(
      'https://t0.tianditu.gov.cn/x?TK=[redacted]#frag',
    );
    expect(redactUrl('redis://beacon:s3cret@10.0.0.5:6379/0')).toBe('redis://[redacted]@10.0.0.5:6379/0');
    expect(redactUrl('/api/v1/rooms?tokenish=1&page=2')).toBe('/api/v1/rooms?tokenish=1&page=2');
  });
});

describe('service loggers', () => {
  function capture(): { logger: pino.Logger; lines: string[] } {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    return { logger: pino({ ...rootLoggerOptions('test'), level: 'info' }, stream), lines };
  }

  it('never write a token, a signed link or an Authorization header', () => {
    const { logger, lines } = capture();
    logger.child({ component: 'http' }).error(
      {
        url: '/api/v1/recordings/r1/file?token=SESSION-TOKEN&sig=LINK-SIG',
        req: { headers: { authorization: 'Bearer SESSION-TOKEN', cookie: 'sid=COOKIE' } },
        headers: { authorization: 'Bearer OTHER-TOKEN' },
        token: 'TOP-TOKEN',
        auth: { token: 'NESTED-TOKEN', password: 'PASSWORD' },
      },
      'request failed',
    );
    const line = lines.join('');
    for (const secret of [
      'SESSION-TOKEN',
      'LINK-SIG',
      'OTHER-TOKEN',
      'COOKIE',
      'TOP-TOKEN',
      'NESTED-TOKEN',
      'PASSWORD',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(JSON.parse(line)).toMatchObject({
      url: '/api/v1/recordings/r1/file?token=[redacted]&sig=[redacted]',
      msg: 'request failed',
    });
  });
});
