/**
 * A hostile host on the network against the SIP gateway's RTP ports. While
 * the gateway reads a warning to a township's desk phone (baresip), a
 * stranger who found the call's RTP port sends a keypad "1" (RFC 4733) and
 * audio into it, from another address (127.0.0.2) and from another port of
 * the phone's own address: the warning must stay unacknowledged, nothing the
 * gateway sends goes to the stranger, and /metrics counts the dropped
 * datagrams. The real phone then presses 1 and the acknowledgement goes
 * through as always.
 *
 * And a caller guessing conference PINs: after the lockout threshold (3 here,
 * 5 by default) its call ends, its next call is refused before it can type,
 * and the audit shows each wrong PIN with the caller and the lockout.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type BaresipPhone, baresipUnavailableReason, startBaresip } from '../src/baresip.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { waitForPromptEnd } from '../src/heardPrompt.ts';
import { canglingAckRow, draftCanglingWarning } from '../src/phoneWarning.ts';
import { freePortBlock } from '../src/ports.ts';
import { apiJson, loginApi } from '../src/signaling.ts';
import { type SipBeacon, startSipBeacon } from '../src/sipBeacon.ts';
import { runSipp } from '../src/sipp.ts';
import { waitFor } from '../src/waitFor.ts';

const run = promisify(execFile);
const unavailable = baresipUnavailableReason();
if (unavailable) console.warn(`SIP security e2e tests skipped: ${unavailable}`);

const RTP_PORTS = 40;
const JWT_SECRET = 'sip-security-e2e-jwt-secret-0123456789abcdef';
let sip: SipBeacon;
let desk: BaresipPhone;
let rtpMin = 0;
const strangers: dgram.Socket[] = [];

afterAll(() => {
  for (const socket of strangers) socket.close();
});

async function strangerSocket(ip: string): Promise<{ socket: dgram.Socket; received: Buffer[] }> {
  const socket = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (msg) => received.push(msg));
  socket.bind(0, ip);
  await once(socket, 'listening');
  strangers.push(socket);
  return { socket, received };
}

/** One RTP packet (RFC 3550 fixed header, no CSRC). */
function rtp(payloadType: number, seq: number, timestamp: number, ssrc: number, marker: boolean, payload: Buffer) {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (marker ? 0x80 : 0) | payloadType;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([header, payload]);
}

/** A key press as RFC 4733 sends it: event packets, the last three with the end bit. */
function keyPress(digit: number, startSeq: number, timestamp: number): Buffer[] {
  return Array.from({ length: 6 }, (_, i) => {
    const duration = 160 * (i + 1);
    const payload = Buffer.from([digit, i >= 3 ? 0x8a : 0x0a, duration >> 8, duration & 0xff]);
    return rtp(101, startSeq + i, timestamp, 0x5eed, i === 0, payload);
  });
}

/** Children of `parent` whose command line contains `name`, from /proc. */
async function childPids(parent: number, name: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parent) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(name)) pids.push(Number(pid));
  }
  return pids;
}

/** A process's environment as /proc shows it (to its own user). */
async function environmentOf(pid: number): Promise<Map<string, string>> {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
  return new Map(
    raw
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

/** UDP ports the SIP gateway process (signaling's child) has bound in its RTP range, from /proc. */
async function gatewayRtpPorts(): Promise<number[]> {
  const inodes = new Set<string>();
  for (const pid of await childPids(sip.beacon.pid, 'sip-gateway')) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[([0-9]+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    }
  }
  const ports: number[] = [];
  for (const line of (await readFile('/proc/net/udp', 'utf8')).split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const port = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
    if (inodes.has(fields[9] ?? '') && port >= rtpMin && port < rtpMin + RTP_PORTS) ports.push(port);
  }
  return ports;
}

async function scrape(name: string): Promise<number> {
  const text = await (await fetch(`${sip.beacon.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

describe.skipIf(unavailable !== null)("a stranger on the network against a phone call's RTP port", () => {
  useE2e({
    async start(resources) {
      const work = resources.own(await mkdtemp(join(tmpdir(), 'beacon-sipsec-')), (dir) =>
        rm(dir, { recursive: true, force: true }),
      );
      const tone = join(work, 'tone.wav');
      await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', tone, 'synth', '5', 'sine', '600', 'vol', '0.5']);
      rtpMin = await freePortBlock(RTP_PORTS);
      sip = resources.own(
        await startSipBeacon({
          env: {
            BEACON_SIP_RTP_PORT_MIN: String(rtpMin),
            BEACON_SIP_RTP_PORT_MAX: String(rtpMin + RTP_PORTS - 1),
            // One call's three wrong PINs lock the caller out (default: 5, i.e. within its second call).
            BEACON_SIP_PIN_CALLER_FAILURES: '3',
            // Signaling's secret: the gateway and Kamailio must not inherit it.
            BEACON_JWT_SECRET: JWT_SECRET,
          },
        }),
        (s) => s.stop(),
      );
      await mkdir(join(work, 'rec'), { recursive: true });
      desk = resources.own(
        await startBaresip({
          extension: '8007',
          password: await sip.phonePassword('8007'),
          registrar: sip.sip,
          sourceWav: tone,
          recordDir: join(work, 'rec'),
          autoAnswer: true,
        }),
        (phone) => phone.stop().catch(() => undefined),
      );
      await desk.waitRegistered();
      await sip.waitStatus((s) => s.registrations.some((r) => r.extension === '8007' && r.registered));
      return sip.beacon;
    },
  });

  it('cannot acknowledge a warning nor hear the call; the real phone still can', async () => {
    const { token } = await loginApi(sip.beacon.url, 'duty');
    const warning = await draftCanglingWarning(sip.beacon.url, token);
    const ackRow = () => canglingAckRow(sip.beacon.url, token, warning.id);
    const droppedBefore = (await scrape('beacon_sip_rtp_foreign_dropped_total')) || 0;
    const recordings = desk.recordedWavs().length;
    await apiJson(sip.beacon.url, token, `/api/v1/warnings/${warning.id}/issue`, { method: 'POST' });
    await desk.waitEstablished(20_000);
    const [port] = await waitFor('the alert call’s RTP port', gatewayRtpPorts, (ports) => ports.length === 1, {
      timeoutMs: 10_000,
      intervalMs: 100,
    });

    // A host elsewhere first; then another port of the phone's own address, once the first batch has been
    // counted (by then the phone has long been sending, and its audio pinned its port).
    const far = await strangerSocket('127.0.0.2');
    const near = await strangerSocket('127.0.0.1');
    let sent = 0;
    for (const [n, { socket }] of [far, near].entries()) {
      for (const packet of keyPress(1, 100 * n + 1, 8000 * (n + 1))) socket.send(packet, port as number, '127.0.0.1');
      for (let i = 0; i < 5; i++) {
        socket.send(rtp(0, 50 * n + i, 160 * i, 0xbad, i === 0, Buffer.alloc(160, 0x10)), port as number, '127.0.0.1');
      }
      sent += 11;
      // Settled when the gateway has counted them all as dropped, or (the hole) took the stranger's "1" as the ack.
      const settled = await waitFor(
        'the stranger’s datagrams dropped, or the warning acknowledged',
        async () => ({
          dropped: (await scrape('beacon_sip_rtp_foreign_dropped_total')) - droppedBefore,
          row: await ackRow(),
        }),
        ({ dropped, row }) => dropped >= sent || row?.ackedAt != null,
        { timeoutMs: 15_000, intervalMs: 250 },
      );
      expect(settled.row?.ackedAt ?? null).toBeNull();
      expect(settled.dropped).toBe(sent);
    }
    // The gateway keeps reading to the phone, and nothing of it reaches the strangers.
    await waitForPromptEnd(desk, { recording: recordings });
    expect(far.received).toHaveLength(0);
    expect(near.received).toHaveLength(0);
    expect((await ackRow())?.ackedAt ?? null).toBeNull();

    await desk.sendDtmf('1');
    const row = await waitFor('the phone’s ack', ackRow, (r) => r?.ackedAt != null, {
      timeoutMs: 20_000,
      intervalMs: 150,
    });
    expect(row).toMatchObject({ channel: 'phone', ackedByName: '苍岭镇·8007' });
    expect(await desk.waitClosed(20_000)).toBeTruthy();
  });

  it('locks a caller out after too many wrong PINs: its next call is refused, and the audit shows both', async () => {
    const lockoutsBefore = (await scrape('beacon_sip_pin_lockouts_total')) || 0;
    const password = await sip.phonePassword('8003');
    const sipp = (scenario: string, timeoutMs: number) =>
      runSipp({
        scenario,
        target: `127.0.0.1:${sip.sip.port}`,
        service: '6001',
        authUser: '8003',
        password,
        keys: { from: '8003' },
        timeoutMs,
      });
    const guessing = await sipp('uac-pin-wrong.xml', 70_000);
    expect(guessing.exitCode, guessing.errors || guessing.stdout.slice(-1500)).toBe(0);
    expect(guessing.messages).toMatch(/^BYE sip:/m);
    // Even with the right PIN, the caller is refused before the gateway answers.
    const next = await sipp('uac-pin-right.xml', 20_000);
    expect(next.messages).toContain('SIP/2.0 403');

    const { token } = await loginApi(sip.beacon.url, 'admin');
    const audit = await waitFor(
      'the lockout in the audit',
      () => apiJson<{ action: string; detail: Record<string, unknown> }[]>(sip.beacon.url, token, '/api/v1/audit'),
      (rows) => rows.some((r) => r.action === 'sip.pin_lockout'),
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    expect(audit.filter((r) => r.action === 'sip.wrong_pin' && r.detail.caller === '8003')).toHaveLength(3);
    expect(audit.find((r) => r.action === 'sip.pin_lockout')?.detail).toMatchObject({
      scope: 'caller',
      number: '6001',
      caller: '8003',
      failures: 3,
      lockedForMs: 60_000,
    });
    await waitFor(
      'the lockout on /metrics',
      () => scrape('beacon_sip_pin_lockouts_total'),
      (value) => value - lockoutsBefore === 1,
      { timeoutMs: 10_000, intervalMs: 250 },
    );
  });

  it("keeps signaling's secrets and the service token out of the gateway's and Kamailio's environment", async () => {
    const [gateway] = await childPids(sip.beacon.pid, 'sip-gateway');
    expect(gateway).toBeDefined();
    const [kamailio] = await childPids(gateway as number, 'kamailio');
    expect(kamailio).toBeDefined();
    for (const pid of [gateway, kamailio] as number[]) {
      const env = await environmentOf(pid);
      expect([...env.keys()].filter((key) => /TOKEN|SECRET|PASSWORD|DATABASE|MEDIA_NODE_KEY/.test(key))).toEqual([]);
      expect([...env.values()].filter((value) => value.includes(JWT_SECRET) || /^eyJ/.test(value))).toEqual([]);
    }
    expect([...(await environmentOf(kamailio as number)).keys()]).toEqual(['PATH']);
    // The gateway still works with the token it asked signaling for: it is connected and Kamailio runs.
    expect((await sip.status()).available).toBe(true);
  });
});
