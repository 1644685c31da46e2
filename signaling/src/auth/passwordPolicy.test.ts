import { BeaconError } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { assertPasswordAcceptable, commonPasswords } from './passwordPolicy.ts';

function codeOf(password: string, username = 'zhangsan'): string | null {
  try {
    assertPasswordAcceptable(password, username);
    return null;
  } catch (err) {
    if (err instanceof BeaconError) return err.code;
    throw err;
  }
}

describe('password policy', () => {
  it('refuses fewer than 10 characters, counting characters rather than UTF-16 units', () => {
    expect(codeOf('Xk9#mQ2$v')).toBe('password_too_short');
    expect(codeOf('Xk9#mQ2$vL')).toBeNull();
    expect(codeOf('烽火台上望长城九')).toBe('password_too_short');
    expect(codeOf('烽火台上望长城九州安')).toBeNull();
  });

  it('refuses the username and passwords containing it, whatever the case', () => {
    expect(codeOf('zhangsan2026', 'zhangsan')).toBe('password_is_username');
    expect(codeOf('MyZhangSan!x', 'zhangsan')).toBe('password_is_username');
    expect(codeOf('township01', 'TOWNSHIP01')).toBe('password_is_username');
  });

  it('refuses common passwords, including Chinese-typical ones and the published demo password', () => {
    for (const weak of ['1234567890', 'woaini1314', 'a123456789', 'iloveyou1314', 'Password123', 'qwertyuiop']) {
      expect(codeOf(weak), weak).toBe('password_too_common');
    }
    expect(commonPasswords().has('beacon2026')).toBe(true);
    expect(commonPasswords().has('5201314')).toBe(true);
    expect(commonPasswords().size).toBeGreaterThan(2000);
  });

  it('accepts a long uncommon passphrase', () => {
    expect(codeOf('correct horse battery staple')).toBeNull();
    expect(codeOf('Tr0mb0ne-Lantern-41')).toBeNull();
  });
});
