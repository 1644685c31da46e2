import type { SipStatus, TerminalPresence, TownshipView } from '@beacon/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { applySipStatus, command } from './commandStore.ts';
import { escapeHtml, phoneState, townshipMarkerHtml, videoState } from './mapIcons.ts';
import { ackState } from './selectors.ts';

const township = (id: string): TownshipView => ({
  id,
  name: id,
  nameEn: id,
  kind: 'town',
  lat: 25,
  lon: 101.5,
  approximate: true,
});

const registration = (extension: string, townshipId: string | null, registered: boolean, inCall = false) => ({
  extension,
  terminalId: null,
  townshipId,
  registered,
  contact: null,
  expiresAt: null,
  inCall,
});

describe('applySipStatus', () => {
  beforeEach(() => {
    command.townships = [township('lucheng'), township('donggua'), township('zixi')];
    command.presence = {
      lucheng: {
        townshipId: 'lucheng',
        videoOnline: true,
        inMeeting: 'r1',
        phoneRegistered: false,
        phoneInCall: false,
      },
      zixi: { townshipId: 'zixi', videoOnline: false, inMeeting: null, phoneRegistered: true, phoneInCall: true },
    };
  });

  it('sets each township phone from its registrations and keeps the video state', () => {
    const status: SipStatus = {
      available: true,
      reason: null,
      registrations: [
        registration('8001', 'lucheng', true),
        registration('8011', 'lucheng', false),
        registration('8002', 'donggua', true, true),
        registration('9999', null, true, true),
      ],
    };
    applySipStatus(status);
    expect(command.presence.lucheng).toEqual({
      townshipId: 'lucheng',
      videoOnline: true,
      inMeeting: 'r1',
      phoneRegistered: true,
      phoneInCall: false,
    });
    expect(phoneState(command.presence.donggua)).toBe('in_call');
    // No registration any more: the phone is unregistered, whatever it was.
    expect(phoneState(command.presence.zixi)).toBe('unregistered');
  });

  it('treats every phone as unregistered while the gateway is unavailable', () => {
    applySipStatus({
      available: false,
      reason: 'gateway_not_connected',
      registrations: [registration('8001', 'lucheng', true)],
    });
    expect(command.presence.lucheng?.phoneRegistered).toBe(false);
  });
});

describe('marker states', () => {
  const presence = (over: Partial<TerminalPresence>): TerminalPresence => ({
    townshipId: 't',
    videoOnline: false,
    inMeeting: null,
    phoneRegistered: false,
    phoneInCall: false,
    ...over,
  });

  it('maps presence to the data-video / data-phone values', () => {
    expect(videoState(undefined)).toBe('offline');
    expect(videoState(presence({ videoOnline: true }))).toBe('online');
    expect(videoState(presence({ videoOnline: true, inMeeting: 'pull-t' }))).toBe('meeting');
    expect(phoneState(presence({ phoneRegistered: true }))).toBe('registered');
  });

  it('escapes township names in marker HTML', () => {
    expect(escapeHtml(`<b a="x">&'`)).toBe('&lt;b a=&quot;x&quot;&gt;&amp;&#39;');
    expect(townshipMarkerHtml('lucheng', '<鹿城>')).toContain('&lt;鹿城&gt;');
    expect(townshipMarkerHtml('lucheng', '鹿城镇')).toContain('data-testid="township-marker-lucheng"');
  });

  it('derives the ack board state from the row', () => {
    const row = {
      warningId: 'w',
      townshipId: 't',
      deliveredAt: null,
      ackedAt: null,
      ackedBy: null,
      ackedByName: null,
      channel: null,
      notifyCount: 1,
      lastNotifiedAt: '2026-01-01T00:00:00Z',
      departmentId: null,
    };
    expect(ackState(undefined)).toBe('pending');
    expect(ackState(row)).toBe('pending');
    expect(ackState({ ...row, deliveredAt: '2026-01-01T00:00:01Z' })).toBe('delivered');
    expect(ackState({ ...row, deliveredAt: '2026-01-01T00:00:01Z', ackedAt: '2026-01-01T00:00:02Z' })).toBe(
      'acknowledged',
    );
  });
});
