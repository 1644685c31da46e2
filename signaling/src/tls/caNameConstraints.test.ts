import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSubtree, withinSubtrees } from '../net/nameSubtrees.ts';
import { ensureCertificates } from './CertificateAuthority.ts';
import { nameConstraintsExtension, parseOpensslConstraints } from './caNameConstraints.ts';

const run = promisify(execFile);
let dir: string;
beforeEach(async () => {
  dir = path.join(await mkdtemp(path.join(tmpdir(), 'beacon-nc-')), 'tls');
});
afterEach(async () => {
  await rm(path.dirname(dir), { recursive: true, force: true });
});

/** What an attacker holding the CA key would do: certify another site with it, then ask OpenSSL to verify. */
async function forge(san: string): Promise<string> {
  const key = path.join(dir, 'rogue.key');
  const csr = path.join(dir, 'rogue.csr');
  const ext = path.join(dir, 'rogue.ext');
  const crt = path.join(dir, 'rogue.crt');
  await run(
    'openssl',
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
      '-keyout',
      key,
      '-out',
      csr,
      '-subj',
      '/O=Rogue',
    ]),
  );
  await writeFile(ext, `subjectAltName=${san}\n`);
  await run(
    'openssl',
    ['x509', '-req', '-in', csr, '-CA', path.join(dir, 'ca.crt'), '-CAkey', path.join(dir, 'ca.key')].concat([
      '-set_serial',
      '7',
      '-days',
      '5',
      '-extfile',
      ext,
      '-out',
      crt,
    ]),
  );
  try {
    await run('openssl', ['verify', '-CAfile', path.join(dir, 'ca.crt'), crt]);
    return 'OK';
  } catch (err) {
    return (
      String((err as { stdout?: string; stderr?: string }).stdout ?? '') + String((err as { stderr?: string }).stderr)
    );
  }
}

describe("the CA's name constraints", () => {
  it('certify Beacon’s own names and the permitted networks, and nothing else', async () => {
    await ensureCertificates({ dir, names: ['beacon.cx.gov', 'localhost', '10.20.0.5'], permitted: ['10.30.0.0/16'] });
    expect(await forge('DNS:beacon.cx.gov')).toBe('OK');
    expect(await forge('IP:10.30.4.1')).toBe('OK');
    // Another site, or another address of the intranet: refused by every verifier that trusts this CA.
    expect(await forge('DNS:www.baidu.com')).toMatch(/permitted subtree violation/);
    expect(await forge('DNS:mail.gov.cn')).toMatch(/permitted subtree violation/);
    expect(await forge('IP:10.20.0.6')).toMatch(/permitted subtree violation/);
  });

  it('leave a name that appears later out of the certificate, with the others still served', async () => {
    await ensureCertificates({ dir, names: ['beacon.cx.gov', '10.20.0.5'] });
    const again = await ensureCertificates({ dir, names: ['beacon.cx.gov', '10.20.0.5', '172.16.9.9'] });
    expect(again.action).toBe('reused');
    await expect(ensureCertificates({ dir, names: ['other.example'] })).rejects.toMatchObject({
      code: 'tls_names_outside_ca',
    });
  });

  it('keep an old CA without constraints renewing for whatever names the server has', async () => {
    await run('openssl', ['version']);
    await ensureCertificates({ dir, names: ['localhost'] });
    // An install from before constraints: its CA is replaced by one made the old way.
    await run(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
        .concat(['-keyout', path.join(dir, 'ca.key'), '-out', path.join(dir, 'ca.crt'), '-days', '100'])
        .concat(['-subj', '/O=Beacon/CN=Beacon CA old', '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0']),
    );
    const old = await readFile(path.join(dir, 'ca.crt'), 'utf8');
    const renewed = await ensureCertificates({ dir, names: ['localhost', 'new.example'] });
    expect(renewed.caCert).toBe(old);
    expect(renewed.action).toBe('issued');
    expect(renewed.cert).toBeTruthy();
  });
});

describe('subtrees', () => {
  it('parses domains, addresses and CIDR networks, and refuses anything else', () => {
    expect(parseSubtree('cx.gov')).toEqual({ kind: 'DNS', domain: 'cx.gov' });
    expect(parseSubtree('.CX.gov')).toEqual({ kind: 'DNS', domain: 'cx.gov' });
    expect(parseSubtree('10.20.0.0/16')).toEqual({ kind: 'IP', address: '10.20.0.0', prefix: 16 });
    expect(parseSubtree('fd00::/8')).toEqual({ kind: 'IP', address: 'fd00::', prefix: 8 });
    for (const bad of ['', 'a b', '10.0.0.0/33', 'cx.gov/8', '10.0.0.0/x', 'nameConstraints=evil,DNS:x']) {
      expect(parseSubtree(bad)).toBeNull();
    }
  });

  it('round-trips through openssl’s syntax and tells what lies within', () => {
    const subtrees = [
      { kind: 'DNS', domain: 'cx.gov' },
      { kind: 'IP', address: '10.20.0.0', prefix: 16 },
      { kind: 'IP', address: '::1', prefix: 128 },
    ] as const;
    expect(nameConstraintsExtension(subtrees)).toBe(
      'nameConstraints=critical,permitted;DNS:cx.gov,permitted;IP:10.20.0.0/255.255.0.0,' +
        'permitted;IP:::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    );
    const printed = `X509v3 Name Constraints: critical
    Permitted:
      DNS:cx.gov
      IP:10.20.0.0/255.255.0.0
      IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF`;
    const parsed = parseOpensslConstraints(printed) ?? [];
    expect(parsed.map((s) => (s.kind === 'DNS' ? s.domain : `${s.address}/${s.prefix}`))).toEqual([
      'cx.gov',
      '10.20.0.0/16',
      '0:0:0:0:0:0:0:1/128',
    ]);
    expect(parseOpensslConstraints('No extensions in certificate')).toBeNull();
    expect(withinSubtrees('DNS:beacon.cx.gov', parsed)).toBe(true);
    expect(withinSubtrees('DNS:evilcx.gov', parsed)).toBe(false);
    expect(withinSubtrees('IP:10.20.255.1', parsed)).toBe(true);
    expect(withinSubtrees('IP:10.21.0.1', parsed)).toBe(false);
    expect(withinSubtrees('IP:::1', parsed)).toBe(true);
  });
});
