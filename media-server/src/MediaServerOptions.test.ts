import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { parseMediaServerOptions } from './MediaServerOptions.ts';

describe('parseMediaServerOptions', () => {
  it('fills documented defaults', () => {
    const options = parseMediaServerOptions({ announcedAddress: '203.0.113.7' });
    expect(options).toEqual({
      numWorkers: os.availableParallelism(),
      listenIp: '0.0.0.0',
      announcedAddress: '203.0.113.7',
      rtcPortBase: 40_000,
      plainPortRange: { min: 41_000, max: 41_999 },
      workerLogLevel: 'warn',
      respawnDeadWorkers: true,
      recordingsDir: './recordings',
      plainTargets: ['127.0.0.0/8', '::1/128'],
    });
  });

  it('detects an announced address when none is given', () => {
    const { announcedAddress } = parseMediaServerOptions({});
    expect(announcedAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('rejects numWorkers 0 naming the field', () => {
    const error = catchError(() => parseMediaServerOptions({ numWorkers: 0 }));
    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues[0]?.path).toEqual(['numWorkers']);
  });

  it('rejects a port above 65535', () => {
    const error = catchError(() => parseMediaServerOptions({ rtcPortBase: 70_000 }));
    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues[0]?.path).toEqual(['rtcPortBase']);
  });

  it('rejects unknown keys, bad IPs, inverted and overlapping ranges', () => {
    expect(() => parseMediaServerOptions({ numWorker: 2 })).toThrow(ZodError);
    expect(() => parseMediaServerOptions({ listenIp: 'localhost' })).toThrow(ZodError);
    expect(() => parseMediaServerOptions({ plainPortRange: { min: 5000, max: 4000 } })).toThrow(/min must be <= /);
    expect(() => parseMediaServerOptions({ numWorkers: 2, rtcPortBase: 40_999 })).toThrow(/overlap plainPortRange/);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
