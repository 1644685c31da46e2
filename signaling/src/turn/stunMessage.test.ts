import { describe, expect, it } from 'vitest';
import {
  decodeStun,
  decodeXorAddress,
  encodeStun,
  encodeXorAddress,
  errorCodeOf,
  getAttribute,
  StunAttr,
  StunMethod,
  textAttribute,
} from './stunMessage.ts';

describe('STUN messages', () => {
  it('round-trips method, class, transaction id and attributes (padding included)', () => {
    const packet = encodeStun(
      { method: StunMethod.Allocate, cls: 'Request', attributes: [textAttribute(StunAttr.Username, 'abcde')] },
      { integrityKey: Buffer.alloc(16, 1), fingerprint: true },
    );
    // type 0x0003, length = 12 (USERNAME, padded) + 24 (MESSAGE-INTEGRITY) + 8 (FINGERPRINT)
    expect(packet.readUInt16BE(0)).toBe(0x0003);
    expect(packet.readUInt16BE(2)).toBe(44);
    const message = decodeStun(packet);
    if (!message) throw new Error('not decoded');
    expect(message?.method).toBe(StunMethod.Allocate);
    expect(message?.cls).toBe('Request');
    expect(getAttribute(message, StunAttr.Username)?.toString()).toBe('abcde');
    expect(message?.attributes.map((a) => a.type)).toEqual([
      StunAttr.Username,
      StunAttr.MessageIntegrity,
      StunAttr.Fingerprint,
    ]);
  });

  it('encodes classes into the type bits as RFC 5389 §6 does', () => {
    const type = (method: number, cls: 'Request' | 'Indication' | 'Success' | 'Error') =>
      encodeStun({ method, cls, attributes: [] }).readUInt16BE(0);
    expect(type(StunMethod.Binding, 'Success')).toBe(0x0101);
    expect(type(StunMethod.Allocate, 'Error')).toBe(0x0113);
    expect(type(StunMethod.Send, 'Indication')).toBe(0x0016);
    expect(type(StunMethod.Data, 'Indication')).toBe(0x0017);
    expect(type(StunMethod.CreatePermission, 'Error')).toBe(0x0118);
  });

  it('XORs addresses with the cookie (and the transaction id for IPv6)', () => {
    const tid = Buffer.from('0102030405060708090a0b0c', 'hex');
    for (const where of [
      { address: '192.0.2.1', port: 32853 },
      { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 },
    ]) {
      const { value } = encodeXorAddress(StunAttr.XorPeerAddress, where, tid);
      expect(decodeXorAddress(value, tid)).toEqual(where);
    }
    // RFC 5769 §2.2: 192.0.2.1:32853 is 0x0001 a147 e112a643.
    expect(encodeXorAddress(StunAttr.XorMappedAddress, { address: '192.0.2.1', port: 32853 }, tid).value).toEqual(
      Buffer.from('0001a147e112a643', 'hex'),
    );
  });

  it('reads ERROR-CODE and ignores what is not STUN', () => {
    const value = Buffer.concat([Buffer.from([0, 0, 4, 3]), Buffer.from('Forbidden')]);
    const packet = encodeStun({
      method: StunMethod.CreatePermission,
      cls: 'Error',
      attributes: [{ type: StunAttr.ErrorCode, value }],
    });
    const message = decodeStun(packet);
    expect(message && errorCodeOf(message)).toEqual({ code: 403, reason: 'Forbidden' });
    expect(decodeStun(Buffer.from('not stun at all, just text'))).toBeNull();
  });
});
