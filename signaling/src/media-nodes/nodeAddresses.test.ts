import { describe, expect, it } from 'vitest';
import { certificateIps, isRegisteredAddress, registeredAddresses } from './nodeAddresses.ts';

describe('a media node’s registered addresses', () => {
  it('reads the IP addresses of a certificate, not its names or URIs', () => {
    const san =
      'DNS:media-1.beacon.lan, IP Address:10.20.0.21, IP Address:0:0:0:0:0:0:0:1, URI:urn:beacon:media-node:m1';
    expect(certificateIps(san)).toEqual(['10.20.0.21', '0:0:0:0:0:0:0:1']);
    expect(certificateIps(undefined)).toEqual([]);
  });

  it('are the control URL’s host (a name resolved) and the certificate’s addresses', async () => {
    expect(await registeredAddresses('https://10.20.0.21:4480', ['10.20.0.22', '10.20.0.21'])).toEqual([
      '10.20.0.21',
      '10.20.0.22',
    ]);
    expect(await registeredAddresses('http://[::1]:4480', [])).toEqual(['::1']);
    expect(await registeredAddresses('http://localhost:4480', [])).toContain('127.0.0.1');
    // A name that does not resolve vouches for nothing.
    expect(await registeredAddresses('https://no-such-node.invalid:4480', ['10.20.0.21'])).toEqual(['10.20.0.21']);
  });

  it('match an endpoint by address, whatever its spelling, and nothing else', () => {
    expect(isRegisteredAddress('10.20.0.21', ['10.20.0.21'])).toBe(true);
    expect(isRegisteredAddress('::ffff:10.20.0.21', ['10.20.0.21'])).toBe(true);
    expect(isRegisteredAddress('::1', ['0:0:0:0:0:0:0:1'])).toBe(true);
    expect(isRegisteredAddress('10.20.0.22', ['10.20.0.21'])).toBe(false);
    expect(isRegisteredAddress('media-1.beacon.lan', ['10.20.0.21'])).toBe(false);
    expect(isRegisteredAddress('10.20.0.21', [])).toBe(false);
  });
});
