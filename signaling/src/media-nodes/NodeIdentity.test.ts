import type { PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { NodeIdentity } from './NodeIdentity.ts';

const TLS = { ca: 'ca', cert: 'cert', key: 'key' };
/** What Node hands checkServerIdentity: only the names matter here. */
const cert = (subjectaltname: string) => ({ subject: { CN: 'Beacon media node' }, subjectaltname }) as PeerCertificate;

describe('NodeIdentity', () => {
  it('accepts a certificate for the dialled address that names a node, then only that node in heartbeats', () => {
    const identity = new NodeIdentity('https://10.20.0.5:4480', TLS);
    expect(identity.checkCertificate('10.20.0.5', cert('IP Address:10.20.0.5, URI:urn:beacon:media-node:a'))).toBe(
      undefined,
    );
    expect(identity.refusal('a')).toBeNull();
    // A node proven as "a" announcing itself as "b" would take b's place in the registry.
    expect(identity.refusal('b')).toMatch(/certificate a/);
  });

  it('refuses another address, a certificate naming no node, and another node than registered', () => {
    const registered = new NodeIdentity('https://10.20.0.5:4480', TLS, 'a');
    expect(
      registered.checkCertificate('10.20.0.5', cert('IP Address:10.20.0.6, URI:urn:beacon:media-node:a')),
    ).toBeInstanceOf(Error);
    expect(registered.checkCertificate('10.20.0.5', cert('IP Address:10.20.0.5'))).toBeInstanceOf(Error);
    expect(
      registered.checkCertificate('10.20.0.5', cert('IP Address:10.20.0.5, URI:urn:beacon:media-node:b')),
    ).toBeInstanceOf(Error);
    // Nothing proven yet: any heartbeat is refused.
    expect(registered.refusal('a')).toMatch(/certificate nothing/);
  });

  it('on loopback http: no TLS, but a registered id must still match; https without a certificate throws', () => {
    const local = new NodeIdentity('http://127.0.0.1:4480', null, 'a');
    expect(local.socketOptions()).toEqual({});
    expect(local.refusal('a')).toBeNull();
    expect(local.refusal('b')).toMatch(/registration a/);
    expect(() => new NodeIdentity('https://10.20.0.5:4480', null)).toThrow(
      expect.objectContaining({ code: 'invalid_state' }),
    );
  });
});
