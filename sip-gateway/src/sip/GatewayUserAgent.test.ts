import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSippAvailable, runSipp, startSipp } from '../../../test/src/sipp.ts';
import { KamailioProcess } from '../kamailio/KamailioProcess.ts';
import { startTestKamailio, type TestKamailio } from '../kamailio/testing.ts';
import { GatewayUserAgent, type IncomingCall, type MediaNegotiation, type RtpEndpoint } from './GatewayUserAgent.ts';
import type { CallEnd } from './sipTypes.ts';

const ready = KamailioProcess.available() && isSippAvailable();
if (!ready)
  console.warn('GatewayUserAgent.test: skipped, kamailio (+websocket/sqlite modules) or sipp is not installed');

const PHONES = [
  { username: '8001', password: 'pw-8001' },
  { username: '8002', password: 'pw-8002' },
  { username: '8003', password: 'pw-8003' },
  { username: '8004', password: 'pw-8004' },
];

/** A real RTP socket standing in for the lead's PhoneMedia; counts packets per payload type. */
async function rtpEndpoint(): Promise<RtpEndpoint & { socket: Socket; packets: Map<number, number> }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const packets = new Map<number, number>();
  socket.on('message', (message) => {
    if (message.length < 12) return;
    const pt = (message[1] ?? 0) & 0x7f;
    packets.set(pt, (packets.get(pt) ?? 0) + 1);
  });
  return { localIp: '127.0.0.1', localPort: socket.address().port, socket, packets };
}

function nextIncoming(ua: GatewayUserAgent): Promise<IncomingCall> {
  return new Promise((resolve) => ua.once('incoming', resolve));
}

function ended(call: { once(event: 'ended', listener: (end: CallEnd) => void): unknown }): Promise<CallEnd> {
  return new Promise((resolve) => call.once('ended', resolve));
}

describe.skipIf(!ready)('GatewayUserAgent through Kamailio', () => {
  let k: TestKamailio;
  let ua: GatewayUserAgent;

  beforeAll(async () => {
    k = await startTestKamailio(PHONES);
    ua = new GatewayUserAgent({
      wsUrl: k.wsUrl,
      domain: k.realm,
      password: k.gatewayPassword,
      noAnswerTimeoutMs: 2500,
    });
    await ua.start();
  });

  afterAll(async () => {
    await ua?.stop();
    await k?.close();
  });

  it('registers as gateway over WebSocket', async () => {
    expect(ua.registered).toBe(true);
    const dump = JSON.stringify(await k.kamailio.rpc('ul.dump'));
    expect(dump).toMatch(/"AoR":"gateway"/);
    expect(dump).toMatch(/transport=ws/i);
  });

  it('lets no other local process register as gateway (and take every conference call) without its password', async () => {
    for (const password of ['', 'a-guess-at-the-password']) {
      const intruder = new GatewayUserAgent({ wsUrl: k.wsUrl, domain: k.realm, password, startTimeoutMs: 3000 });
      await expect(intruder.start()).rejects.toThrow(/not registered/);
      expect(intruder.registered).toBe(false);
    }
    const contacts = JSON.stringify(await k.kamailio.rpc('ul.dump')).match(/"Address":"[^"]*"/g) ?? [];
    expect(contacts).toHaveLength(1);
  });

  it('takes a phone call to a conference number: offer, 200 with our port, RTP, DTMF by INFO, BYE', async () => {
    const endpoint = await rtpEndpoint();
    const incoming = nextIncoming(ua);
    const sipp = runSipp({
      scenario: 'uac-pcma-dtmf.xml',
      target: k.sipTarget,
      service: '6001',
      authUser: '8001',
      password: 'pw-8001',
      keys: { dtmf: '7' },
      pauseMs: 1500,
    });
    const call = await incoming;
    expect(call.toUser).toBe('6001');
    expect(call.fromUser).toBe('8001');
    // Where Kamailio saw the phone's SIP come from (X-Beacon-Source): RTP from there may pin the port.
    expect(call.signalIp).toBe('127.0.0.1');
    expect(call.offer?.codecs.map((c) => c.name)).toEqual(['PCMA']);
    expect(call.offer?.telephoneEventPt).toBe(101);

    const digits: string[] = [];
    call.on('dtmf', (digit) => digits.push(digit));
    const end = ended(call);
    const negotiation = await call.accept(endpoint);
    expect(negotiation).toMatchObject({
      codec: 'PCMA',
      payloadType: 8,
      telephoneEventPt: 101,
      remoteDirection: 'sendrecv',
    });

    const result = await sipp;
    expect(result.exitCode, result.errors).toBe(0);
    expect(result.messages).toMatch(new RegExp(`m=audio ${endpoint.localPort} RTP/AVP 8 101`));
    expect(result.messages).toMatch(/a=sendrecv/);
    expect(negotiation.remote.port).toBe(Number(/m=audio (\d+)/.exec(result.messages)?.[1]));
    expect(await end).toEqual({ reason: 'bye', statusCode: null });
    expect(digits).toEqual(['7']);
    // SIPp played the PCMA speech pcap and the RFC 4733 digit at our endpoint.
    expect(endpoint.packets.get(8) ?? 0).toBeGreaterThan(20);
    expect(endpoint.packets.get(101) ?? 0).toBeGreaterThan(0);
    endpoint.socket.close();
  });

  it('answers a G.722-only offer with G.722 (payload type 9 at 8000), not 488', async () => {
    const endpoint = await rtpEndpoint();
    const incoming = nextIncoming(ua);
    const sipp = runSipp({
      scenario: 'uac-g722.xml',
      target: k.sipTarget,
      service: '6001',
      authUser: '8001',
      password: 'pw-8001',
      pauseMs: 300,
    });
    const call = await incoming;
    expect(call.offer?.codecs).toEqual([{ payloadType: 9, name: 'G722', clockRate: 8000 }]);
    const end = ended(call);
    const negotiation = await call.accept(endpoint);
    expect(negotiation).toMatchObject({ codec: 'G722', payloadType: 9 });
    const result = await sipp;
    expect(result.exitCode, result.errors).toBe(0);
    expect(result.messages).not.toMatch(/SIP\/2\.0 488 /);
    expect(result.messages).toMatch(new RegExp(`m=audio ${endpoint.localPort} RTP/AVP 9 101\r?\n`));
    expect(result.messages).toMatch(/a=rtpmap:9 G722\/8000/);
    expect((await end).reason).toBe('bye');
    endpoint.socket.close();
  });

  it('reports hold (sendonly → we answer recvonly) and resume as media', async () => {
    const endpoint = await rtpEndpoint();
    const incoming = nextIncoming(ua);
    const sipp = runSipp({
      scenario: 'uac-hold.xml',
      target: k.sipTarget,
      service: '6002',
      authUser: '8001',
      password: 'pw-8001',
      pauseMs: 200,
    });
    const call = await incoming;
    const media: MediaNegotiation[] = [];
    call.on('media', (negotiation) => media.push(negotiation));
    const end = ended(call);
    await call.accept(endpoint);
    const result = await sipp;
    // uac-hold.xml fails the call unless the answers say recvonly, then sendrecv.
    expect(result.exitCode, result.errors).toBe(0);
    expect(media.map((m) => m.remoteDirection)).toEqual(['sendonly', 'sendrecv']);
    expect(result.messages).toMatch(/a=recvonly/);
    expect((await end).reason).toBe('bye');
    endpoint.socket.close();
  });

  it('takes 20 concurrent phone calls', async () => {
    const endpoint = await rtpEndpoint();
    const answer = (call: IncomingCall): void => void call.accept(endpoint);
    ua.on('incoming', answer);
    const result = await runSipp({
      scenario: 'uac-pcma-dtmf.xml',
      target: k.sipTarget,
      service: '6003',
      authUser: '8001',
      password: 'pw-8001',
      calls: 20,
      rate: 20,
      pauseMs: 500,
    });
    ua.off('incoming', answer);
    expect(result.exitCode, result.errors).toBe(0);
    expect(result.stats.successful).toBe(20);
    await expect.poll(() => ua.calls.size).toBe(0);
    endpoint.socket.close();
  });

  it('answers an INVITE with garbage SDP 488 without an incoming event', async () => {
    let fired = false;
    const listener = (): void => {
      fired = true;
    };
    ua.on('incoming', listener);
    const result = await runSipp({
      scenario: 'uac-bad-sdp.xml',
      target: k.sipTarget,
      service: '6001',
      authUser: '8001',
      password: 'pw-8001',
    });
    ua.off('incoming', listener);
    expect(result.exitCode, result.errors).toBe(0);
    expect(result.messages).toMatch(/SIP\/2\.0 488 /);
    expect(fired).toBe(false);
  });

  it('dials a registered phone: ringing, answered, BYE when we hang up', async () => {
    const phone = await startSipp({
      scenario: 'uas-answer.xml',
      target: k.sipTarget,
      calls: 1,
      pauseMs: 300,
      register: { user: '8002', password: 'pw-8002' },
    });
    const endpoint = await rtpEndpoint();
    const call = ua.dial('8002', endpoint);
    const events: string[] = [];
    call.on('ringing', () => events.push('ringing'));
    const answered = new Promise<MediaNegotiation>((resolve) => call.once('answered', resolve));
    const negotiation = await answered;
    expect(events).toEqual(['ringing']);
    expect(negotiation).toMatchObject({ codec: 'PCMU', payloadType: 0, telephoneEventPt: 101 });
    expect(negotiation.remote.port).toBe(phone.mediaPort);
    expect(call.signalIp).toBe('127.0.0.1');

    const end = ended(call);
    call.hangup();
    expect(await end).toEqual({ reason: 'local', statusCode: null });
    const result = await phone.done;
    expect(result.exitCode, result.errors).toBe(0);
    expect(result.messages).toMatch(new RegExp(`m=audio ${endpoint.localPort} RTP/AVP 9 0 8 101`));
    endpoint.socket.close();
  });

  it('dials an unregistered extension: failed 404', async () => {
    const endpoint = await rtpEndpoint();
    const call = ua.dial('8099', endpoint);
    expect(await ended(call)).toEqual({ reason: 'failed', statusCode: 404 });
    endpoint.socket.close();
  });

  it('dials a busy phone: rejected 486', async () => {
    const phone = await startSipp({
      scenario: 'uas-busy.xml',
      target: k.sipTarget,
      calls: 1,
      register: { user: '8003', password: 'pw-8003' },
    });
    const endpoint = await rtpEndpoint();
    const call = ua.dial('8003', endpoint);
    expect(await ended(call)).toEqual({ reason: 'rejected', statusCode: 486 });
    expect((await phone.done).exitCode).toBe(0);
    endpoint.socket.close();
  });

  it('gives up on a phone that rings too long: CANCEL, no_answer', async () => {
    const phone = await startSipp({
      scenario: 'uas-noanswer.xml',
      target: k.sipTarget,
      calls: 1,
      register: { user: '8004', password: 'pw-8004' },
    });
    const endpoint = await rtpEndpoint();
    const call = ua.dial('8004', endpoint);
    const end = await ended(call);
    expect(end).toEqual({ reason: 'no_answer', statusCode: 487 });
    const result = await phone.done;
    expect(result.exitCode, result.errors).toBe(0);
    endpoint.socket.close();
  });

  it('re-registers by itself after Kamailio restarts', async () => {
    const unregistered = new Promise<string>((resolve) => ua.once('unregistered', resolve));
    const registered = new Promise<void>((resolve) => ua.once('registered', () => resolve()));
    await k.kamailio.stop();
    expect(await unregistered).toBe('disconnected');
    await k.kamailio.start();
    await registered;
    expect(JSON.stringify(await k.kamailio.rpc('ul.dump'))).toMatch(/"AoR":"gateway"/);
  });
});
