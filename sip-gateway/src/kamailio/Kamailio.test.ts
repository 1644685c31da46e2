import { createSocket } from 'node:dgram';
import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSippAvailable, runSipp } from '../../../test/src/sipp.ts';
import { renderKamailioConfig, resolveKamailioConfig } from './KamailioConfig.ts';
import { KamailioError } from './KamailioError.ts';
import { KamailioProcess } from './KamailioProcess.ts';
import { type RegistrationInfo, RegistrationMonitor } from './RegistrationMonitor.ts';
import { digestHa1 } from './SubscriberDb.ts';
import { startTestKamailio, type TestKamailio } from './testing.ts';

const ready = KamailioProcess.available() && isSippAvailable();
if (!ready) console.warn('Kamailio.test: skipped, kamailio (+websocket/sqlite modules) or sipp is not installed');

/** Sends one raw SIP datagram and returns the first line of the reply (null: none within 1 s). */
async function rawSip(target: string, build: (localPort: number) => string): Promise<string | null> {
  const [host, port] = target.split(':');
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  try {
    const reply = new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 1000);
      socket.once('message', (message) => {
        clearTimeout(timer);
        resolve(message.toString().split('\r\n')[0] ?? '');
      });
    });
    socket.send(build(socket.address().port), Number(port), host);
    return await reply;
  } finally {
    socket.close();
  }
}

function options(target: string, localPort: number, cseq: string, branch: string): string {
  return [
    `OPTIONS sip:${target} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK-${branch}`,
    'Max-Forwards: 70',
    'From: <sip:probe@127.0.0.1>;tag=1',
    'To: <sip:probe@127.0.0.1>',
    `Call-ID: ${branch}@probe`,
    `CSeq: ${cseq}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('Kamailio config', () => {
  it('rejects values that would change the routing script', () => {
    expect(() => resolveKamailioConfig({ dbFile: '/tmp/x.db', realm: 'beacon"; exit; "' })).toThrow(KamailioError);
    expect(() => resolveKamailioConfig({ dbFile: '/tmp/x.db', conferencePattern: '^6"\n' })).toThrow(KamailioError);
    expect(() => resolveKamailioConfig({ dbFile: '/tmp/x.db', udpListen: 'everywhere' })).toThrow(KamailioError);
  });

  it('fills every placeholder of the template', () => {
    const text = renderKamailioConfig(
      resolveKamailioConfig({ dbFile: '/tmp/x.db', advertisedAddress: '203.0.113.7', udpListen: '0.0.0.0:5070' }),
    );
    expect(text).not.toMatch(/\{\{/);
    expect(text).toContain('listen=udp:0.0.0.0:5070 advertise 203.0.113.7:5070');
    expect(text).toContain('modparam("auth_db", "db_url", "sqlite:///tmp/x.db")');
    expect(text).toContain('$rU =~ "^6[0-9]{3}$"');
  });

  it('takes peer conference systems as trunks to conference numbers, and relays the gateway out to a foreign URI', () => {
    const none = renderKamailioConfig(resolveKamailioConfig({ dbFile: '/tmp/x.db' }));
    expect(none).toContain('if ((0) && $rU =~');
    const text = renderKamailioConfig(resolveKamailioConfig({ dbFile: '/tmp/x.db', peers: ['10.53.0.8', '::1'] }));
    expect(text).toContain('if (($si == "10.53.0.8" || $si == "::1") && $rU =~ "^6[0-9]{3}$")');
    expect(text).toContain('if (uri!=myself) {');
    expect(() => resolveKamailioConfig({ dbFile: '/tmp/x.db', peers: ['1.2.3.4" || 1 || "'] })).toThrow(KamailioError);
  });

  it('reports a missing binary as not available', () => {
    expect(KamailioProcess.available('/nonexistent/kamailio')).toBe(false);
  });
});

describe.skipIf(!ready)('Kamailio with SIPp phones', () => {
  let k: TestKamailio;
  let monitor: RegistrationMonitor;
  const changes: RegistrationInfo[][] = [];

  beforeAll(async () => {
    k = await startTestKamailio([
      { username: '8001', password: 'right-8001' },
      { username: '8002', password: 'right-8002' },
    ]);
    monitor = new RegistrationMonitor(k.kamailio, { intervalMs: 200 });
    monitor.on('change', (list) => changes.push(list));
    monitor.start();
  });

  afterAll(async () => {
    monitor?.stop();
    await k?.close();
  });

  it("answers JSON-RPC on a FIFO only the gateway's user can open, never over the loopback HTTP port", async () => {
    // Any local process reaches the loopback port: there, JSON-RPC must not answer.
    const overHttp = await fetch(`http://${k.kamailio.config.wsListen}/RPC`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'ul.dump', id: 1 }),
    });
    expect(overHttp.status).toBe(404);
    expect(await overHttp.text()).not.toContain('jsonrpc');
    expect(await k.kamailio.rpc<string>('core.version')).toMatch(/^kamailio 5\./);
    await expect(k.kamailio.rpc('no.such.method')).rejects.toThrow(KamailioError);
    expect((await stat(k.kamailio.config.rpcFifo)).mode & 0o777).toBe(0o600);
    expect((await stat(k.kamailio.config.runDir)).mode & 0o777).toBe(0o700);
    expect((await stat(k.kamailio.configPath)).mode & 0o777).toBe(0o600);
    // Concurrent calls each get their own reply.
    const versions = await Promise.all(Array.from({ length: 8 }, () => k.kamailio.rpc<string>('core.version')));
    expect(new Set(versions).size).toBe(1);
  });

  it('ignores an address that floods it with REGISTERs (pike), and still answers others', async () => {
    const flooder = createSocket('udp4');
    await new Promise<void>((resolve) => flooder.bind(0, '127.0.0.2', resolve));
    const replies: string[] = [];
    flooder.on('message', (message) => replies.push(message.toString().split('\r\n')[0] ?? ''));
    const [host, port] = k.sipTarget.split(':');
    const localPort = flooder.address().port;
    try {
      for (let i = 0; i < 200; i++) {
        const register = [
          `REGISTER sip:${k.realm} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.2:${localPort};branch=z9hG4bK-flood-${i}`,
          'Max-Forwards: 70',
          `From: <sip:8002@${k.realm}>;tag=f${i}`,
          `To: <sip:8002@${k.realm}>`,
          `Call-ID: flood-${i}@127.0.0.2`,
          `CSeq: ${i + 1} REGISTER`,
          `Contact: <sip:8002@127.0.0.2:${localPort}>`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
        flooder.send(register, Number(port), host);
      }
      // Wait until the replies stop coming (the burst has been handled), then count.
      let seen = -1;
      while (seen !== replies.length) {
        seen = replies.length;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(replies.length).toBeGreaterThan(10);
      expect(replies.length).toBeLessThan(100);
      expect(new Set(replies)).toEqual(new Set(['SIP/2.0 401 Unauthorized']));
    } finally {
      flooder.close();
    }
    // Someone else (here: 127.0.0.1) is still answered.
    expect(await rawSip(k.sipTarget, (p) => options(k.sipTarget, p, '1 OPTIONS', 'after-flood'))).toBe(
      'SIP/2.0 200 OK',
    );
  });

  it('registers a phone with the right password and the monitor reports it', async () => {
    const result = await runSipp({
      scenario: 'register.xml',
      target: k.sipTarget,
      service: '8001',
      authUser: '8001',
      password: 'right-8001',
    });
    expect(result.exitCode, result.errors).toBe(0);
    expect(result.messages).toMatch(/SIP\/2\.0 401 Unauthorized/);
    expect(result.stats.successful).toBe(1);

    await expect.poll(() => monitor.snapshot().map((r) => r.extension), { timeout: 5000 }).toEqual(['8001']);
    const [registration] = monitor.snapshot();
    expect(registration?.contact).toMatch(/^sip:8001@127\.0\.0\.1:\d+/);
    expect(Date.parse(registration?.expiresAt ?? '') - Date.now()).toBeGreaterThan(3000_000);
    expect(changes.at(-1)?.map((r) => r.extension)).toEqual(['8001']);
  });

  it('refuses a phone that keeps retrying a wrong password, every time', async () => {
    const result = await runSipp({
      scenario: 'register-wrong.xml',
      target: k.sipTarget,
      service: '8002',
      authUser: '8002',
      password: 'guess',
    });
    expect(result.exitCode, result.errors).toBe(0);
    expect(result.messages).not.toMatch(/SIP\/2\.0 200/);
    expect(result.messages.match(/SIP\/2\.0 401/g)?.length).toBe(4);
    await monitor.poll();
    expect(monitor.snapshot().map((r) => r.extension)).toEqual(['8001']);
  });

  it('fails register.xml when the password is wrong (the scenario can fail)', async () => {
    const result = await runSipp({
      scenario: 'register.xml',
      target: k.sipTarget,
      service: '8002',
      authUser: '8002',
      password: 'nope',
      timeoutMs: 15_000,
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stats.successful).toBe(0);
  });

  it('drops the registration of a phone that is no longer a subscriber', async () => {
    const result = await runSipp({
      scenario: 'register.xml',
      target: k.sipTarget,
      service: '8002',
      authUser: '8002',
      password: 'right-8002',
    });
    expect(result.exitCode, result.errors).toBe(0);
    await expect.poll(() => monitor.snapshot().map((r) => r.extension), { timeout: 5000 }).toContain('8002');
    expect(await monitor.dropAllBut(new Set(['8001']))).toEqual(['8002']);
    expect(monitor.snapshot().map((r) => r.extension)).toEqual(['8001']);
  });

  it('drops a phone from the monitor when it unregisters (Expires: 0)', async () => {
    // Expires: 0 removes the contact it names: unregister from the port that registered.
    const localPort = Number(/:(\d+)/.exec(monitor.snapshot()[0]?.contact.replace('sip:', '') ?? '')?.[1]);
    expect(localPort).toBeGreaterThan(0);
    const result = await runSipp({
      localPort,
      scenario: 'register.xml',
      target: k.sipTarget,
      service: '8001',
      authUser: '8001',
      password: 'right-8001',
      keys: { expires: '0' },
    });
    expect(result.exitCode, result.errors).toBe(0);
    await expect.poll(() => monitor.snapshot().length, { timeout: 5000 }).toBe(0);
    expect(changes.at(-1)).toEqual([]);
  });

  it('uses new passwords as soon as SubscriberDb.replaceAll commits', async () => {
    expect(() => k.db.replaceAll([{ username: 'gateway', password: 'x' }])).toThrow(TypeError);
    expect(() =>
      k.db.replaceAll([
        { username: '8001', password: 'a' },
        { username: '8001', password: 'b' },
      ]),
    ).toThrow(TypeError);
    expect(k.db.usernames()).toEqual(['8001', '8002']);

    k.db.replaceAll([
      { username: '8001', password: 'changed-8001' },
      { username: '8002', password: 'right-8002' },
    ]);
    const old = await runSipp({
      scenario: 'register.xml',
      target: k.sipTarget,
      service: '8001',
      authUser: '8001',
      password: 'right-8001',
    });
    expect(old.exitCode).not.toBe(0);
    // Signaling sends HA1s, never passwords: those work the same.
    k.db.replaceAll([{ username: '8001', ha1: digestHa1('8001', k.realm, 'from-signaling'), domain: k.realm }]);
    const fromHa1 = await runSipp({
      scenario: 'register.xml',
      target: k.sipTarget,
      service: '8001',
      authUser: '8001',
      password: 'from-signaling',
    });
    expect(fromHa1.exitCode, fromHa1.errors).toBe(0);
    expect(() => k.db.replaceAll([{ username: '8001', ha1: 'not-a-hash' }])).toThrow(TypeError);

    k.db.replaceAll([
      { username: '8001', password: 'changed-8001' },
      { username: '8002', password: 'right-8002' },
    ]);
    const changed = await runSipp({
      scenario: 'register.xml',
      target: k.sipTarget,
      service: '8001',
      authUser: '8001',
      password: 'changed-8001',
    });
    expect(changed.exitCode, changed.errors).toBe(0);
    k.db.replaceAll([
      { username: '8001', password: 'right-8001' },
      { username: '8002', password: 'right-8002' },
    ]);
  });

  it('answers malformed requests with 400 and keeps serving', async () => {
    const result = await runSipp({ scenario: 'malformed.xml', target: k.sipTarget });
    expect(result.exitCode, result.errors).toBe(0);
    expect(result.messages.match(/SIP\/2\.0 400 /g)?.length).toBe(6);

    expect(await rawSip(k.sipTarget, (port) => options(k.sipTarget, port, 'abc OPTIONS', 'cseq1'))).toMatch(
      /^SIP\/2\.0 400 /,
    );
    expect(await rawSip(k.sipTarget, (port) => options(k.sipTarget, port, '1 INVITE', 'cseq2'))).toMatch(
      /^SIP\/2\.0 400 /,
    );
    expect(await rawSip(k.sipTarget, () => 'GARBAGE\r\n\r\n')).toBeNull();
    expect(await rawSip(k.sipTarget, (port) => options(k.sipTarget, port, '7 OPTIONS', 'fine'))).toBe('SIP/2.0 200 OK');
  });

  it('answers 503 to a conference number while the gateway is not registered', async () => {
    const result = await runSipp({
      scenario: 'uac-pcma-dtmf.xml',
      target: k.sipTarget,
      service: '6001',
      authUser: '8001',
      password: 'right-8001',
      timeoutMs: 15_000,
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.messages).toMatch(/SIP\/2\.0 503 /);
  });

  it('answers 404 to a phone-to-phone call to an unregistered extension', async () => {
    const result = await runSipp({
      scenario: 'uac-pcma-dtmf.xml',
      target: k.sipTarget,
      service: '8002',
      authUser: '8001',
      password: 'right-8001',
      timeoutMs: 15_000,
    });
    expect(result.messages).toMatch(/SIP\/2\.0 404 /);
  });

  it('emits exit when Kamailio dies', async () => {
    const pid = k.kamailio.pid;
    expect(pid).not.toBeNull();
    const exited = new Promise<[number | null, string | null]>((resolve) =>
      k.kamailio.once('exit', (code, signal) => resolve([code, signal])),
    );
    // SIGTERM (not KILL): Kamailio's main process takes its workers down with it.
    process.kill(pid as number, 'SIGTERM');
    const [code, signal] = await exited;
    expect(code !== null || signal !== null).toBe(true);
    expect(k.kamailio.running).toBe(false);
  });
});
