import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.ts';

describe('passwords', () => {
  it('hashes in the documented format with a random salt', async () => {
    const a = await hashPassword('beacon2026');
    const b = await hashPassword('beacon2026');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(Buffer.from(a.split('$')[5] ?? '', 'base64')).toHaveLength(32);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('烽火-beacon');
    expect(await verifyPassword('烽火-beacon', stored)).toBe(true);
    expect(await verifyPassword('烽火-beacon ', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('returns false for malformed stored strings without throwing', async () => {
    const good = await hashPassword('pw');
    const [, , , , salt, hash] = good.split('$');
    const malformed = [
      '',
      'plaintext',
      'bcrypt$16384$8$1$abc$def',
      `scrypt$16384$8$1$${salt}`,
      `scrypt$abc$8$1$${salt}$${hash}`,
      `scrypt$1000$8$1$${salt}$${hash}`,
      `scrypt$1073741824$8$1$${salt}$${hash}`,
      `scrypt$16384$0$1$${salt}$${hash}`,
      `scrypt$16384$8$1$$${hash}`,
      `scrypt$16384$8$1$${salt}$`,
      `scrypt$16384$8$1$${salt}$${hash}$extra`,
    ];
    for (const stored of malformed) {
      await expect(verifyPassword('pw', stored), stored).resolves.toBe(false);
    }
  });
});
