import type { ImportReport } from '@beacon/protocol/constants';
import { describe, expect, it } from 'vitest';
import { secretsCsv } from './secretsCsv.ts';

describe('secretsCsv', () => {
  it('lists accounts then phones, quotes what needs it, starts with a BOM', () => {
    const report = {
      accounts: [
        { username: 'li', displayName: '李, 值班', password: 'pw"1' },
        { username: 'wang', displayName: '王', password: null },
      ],
      phones: [{ extension: '8001', name: '话机', password: '123456789012', realm: 'beacon' }],
    } as unknown as ImportReport;
    const csv = secretsCsv(report, (key) => key.split('.').at(-1) ?? key);
    expect(csv.startsWith('\ufeff')).toBe(true);
    expect(csv.slice(1).split('\r\n')).toEqual([
      'secretsKind,username,name,password',
      'users,li,"李, 值班","pw""1"',
      'users,wang,王,givenInFile',
      'phones,8001,话机,123456789012',
      '',
    ]);
  });
});
