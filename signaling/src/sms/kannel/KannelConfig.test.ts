import { describe, expect, it } from 'vitest';
import { renderKannelConfig } from './KannelConfig.ts';
import { KannelError } from './KannelError.ts';
import { parseSmsc } from './smscSpec.ts';

const secrets = { admin: 'a'.repeat(32), status: 's'.repeat(32), sendsms: 'p'.repeat(32), callback: 'k'.repeat(32) };
const base = {
  workDir: '/tmp/x',
  portBase: 21000,
  secrets,
  moUrl: 'http://127.0.0.1:1/api/v1/sms/kannel/mo?k=kkk&from=%p&charset=%C&hex=%e',
  sender: '12379',
  maxParts: 5,
};

describe('kannel.conf', () => {
  it('listens and accepts on loopback only, with generated passwords and no text back to phones', () => {
    const conf = renderKannelConfig({ ...base, smsc: { kind: 'fake' } });
    expect(conf).toContain('admin-port = 21000');
    expect(conf).toContain('smsbox-port = 21001');
    expect(conf).toContain('sendsms-port = 21002');
    expect(conf).toMatch(/smsc = fake\nsmsc-id = fake\nport = 21003/);
    for (const line of [
      'admin-interface = "127.0.0.1"',
      'smsbox-interface = "127.0.0.1"',
      'sendsms-interface = "127.0.0.1"',
    ])
      expect(conf).toContain(line);
    expect(conf).toContain(`admin-password = "${secrets.admin}"`);
    expect(conf).toContain(`password = "${secrets.sendsms}"`);
    expect(conf).toContain('max-messages = 5\nconcatenation = true');
    expect(conf).toContain('max-messages = 0');
    expect(conf).toContain('mo-recode = false');
    expect(conf).toContain('global-sender = "12379"');
  });

  it('writes an SMPP account or includes the operator’s own SMSC file', () => {
    const smpp = parseSmsc('smpp://beacon:s3cret@10.0.0.5:2775?system-type=VMA');
    expect(smpp).toEqual({
      kind: 'smpp',
      host: '10.0.0.5',
      port: 2775,
      systemId: 'beacon',
      password: 's3cret',
      systemType: 'VMA',
    });
    const conf = renderKannelConfig({ ...base, smsc: smpp ?? { kind: 'fake' } });
    expect(conf).toContain('smsc = smpp');
    expect(conf).toContain('transceiver-mode = true');
    expect(conf).toContain('smsc-password = "s3cret"');
    expect(renderKannelConfig({ ...base, smsc: { kind: 'file', path: '/etc/beacon/smsc.conf' } })).toContain(
      'include = "/etc/beacon/smsc.conf"',
    );
  });

  it('refuses SMSC settings it cannot write safely', () => {
    expect(parseSmsc('fake')).toEqual({ kind: 'fake' });
    expect(parseSmsc('file:relative.conf')).toBeNull();
    expect(parseSmsc('smpp://host:2775')).toBeNull();
    expect(parseSmsc('http://a:b@host:80')).toBeNull();
    expect(parseSmsc('smpp://a:b%22@host:2775')).toBeNull();
    expect(() => renderKannelConfig({ ...base, sender: null, moUrl: 'http://x/"', smsc: { kind: 'fake' } })).toThrow(
      KannelError,
    );
  });
});
