import type { PeerInfo, PhoneRegistration, TerminalView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { DIAL_NUMBER, extensionsInRoom, phoneDirectory, registrationStatus } from './phoneState.ts';

const phoneTerminal = (townshipId: string, extension: string): TerminalView => ({
  id: `ph-${townshipId}`,
  townshipId,
  departmentId: null,
  kind: 'sip_phone',
  name: `${townshipId} phone`,
  extension,
});

const registration = (extension: string, extra: Partial<PhoneRegistration> = {}): PhoneRegistration => ({
  extension,
  terminalId: null,
  townshipId: null,
  registered: true,
  contact: `sip:${extension}@127.0.0.1:5071`,
  expiresAt: null,
  inCall: false,
  ...extra,
});

describe('phoneDirectory', () => {
  it('lists every desk phone and SIP video terminal, registered or not, and skips browser terminals', () => {
    const terminals: TerminalView[] = [
      phoneTerminal('donggua', '8002'),
      phoneTerminal('lucheng', '8001'),
      { id: 'vt-lucheng', townshipId: 'lucheng', departmentId: null, kind: 'video', name: 'video', extension: null },
      { id: 'sv-lucheng', townshipId: 'lucheng', departmentId: null, kind: 'sip_video', name: 'sv', extension: '8101' },
    ];
    const entries = phoneDirectory(terminals, [
      registration('8001', { terminalId: 'ph-lucheng', townshipId: 'lucheng' }),
      registration('8101', { terminalId: 'sv-lucheng', townshipId: 'lucheng' }),
    ]);
    expect(entries).toEqual([
      { extension: '8001', terminalId: 'ph-lucheng', townshipId: 'lucheng', status: 'registered', video: false },
      { extension: '8002', terminalId: 'ph-donggua', townshipId: 'donggua', status: 'unregistered', video: false },
      { extension: '8101', terminalId: 'sv-lucheng', townshipId: 'lucheng', status: 'registered', video: true },
    ]);
  });

  it('adds registered extensions Beacon has no terminal for, and a call wins over registration', () => {
    const entries = phoneDirectory(
      [phoneTerminal('lucheng', '8001')],
      [registration('8001', { inCall: true }), registration('9001')],
    );
    expect(entries.map((e) => [e.extension, e.status, e.terminalId, e.video])).toEqual([
      ['8001', 'in_call', 'ph-lucheng', false],
      ['9001', 'registered', null, false],
    ]);
  });

  it('orders numerically for equal-length and shorter-first for mixed lengths', () => {
    const entries = phoneDirectory([], [registration('8015'), registration('801'), registration('8002')]);
    expect(entries.map((e) => e.extension)).toEqual(['801', '8002', '8015']);
  });
});

describe('registrationStatus', () => {
  it('is unregistered without a registration or when it lapsed', () => {
    expect(registrationStatus(undefined)).toBe('unregistered');
    expect(registrationStatus(registration('8001', { registered: false }))).toBe('unregistered');
  });
});

describe('extensionsInRoom', () => {
  it('collects the extensions of phone peers only', () => {
    const base = { device: 'browser', phone: null } as const;
    const peers = [
      { ...base, peerId: 'a' },
      { ...base, peerId: 'b', device: 'phone', phone: { extension: '8003', callState: 'connected' } },
      { ...base, peerId: 'c', device: 'phone', phone: { extension: null, callState: 'connected' } },
    ] as unknown as PeerInfo[];
    expect([...extensionsInRoom(peers)]).toEqual(['8003']);
  });
});

describe('DIAL_NUMBER', () => {
  it('accepts 2–16 digits like the protocol schema', () => {
    expect(['80', '8001', '0871-1234', '1'.repeat(17), '8a01', ''].map((n) => DIAL_NUMBER.test(n))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
