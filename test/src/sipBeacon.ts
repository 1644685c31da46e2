/**
 * A Beacon with desk phones for cross-service tests: signaling (child
 * process) → SIP gateway (its child) → Kamailio (the gateway's child), on
 * loopback ports of this test file's own, so test files never collide.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SipStatus, TerminalView } from '@beacon/protocol';
import Database from 'better-sqlite3';
import { type BeaconProcess, startBeaconProcess } from './beaconProcess.ts';
import { freePortBlock, freeSipPort, freeTcpPort } from './ports.ts';
import { apiJson, loginApi } from './signaling.ts';
import { waitFor } from './waitFor.ts';

export interface SipBeacon {
  beacon: BeaconProcess;
  /** Where phones send SIP (Kamailio UDP). */
  sip: { host: string; port: number };
  adminToken: string;
  status(): Promise<SipStatus>;
  /**
   * The SIP password of the desk phone with `extension`, learnt as an operator
   * does: every seeded phone has its own random one that nobody knows, so the
   * admin sets a new one (POST /api/v1/terminals/:id/sip-credentials, shown
   * once). Resolves once Kamailio's subscriber table holds it; the same
   * password for later calls with the same extension.
   */
  phonePassword(extension: string): Promise<string>;
  /**
   * Registers a SIP video terminal (kind sip_video) the way an admin does (POST /api/v1/admin/terminals, the
   * password shown once), owned by `townshipId`; resolves with its password once Kamailio's table holds it.
   */
  addVideoTerminal(extension: string, townshipId: string, name?: string): Promise<string>;
  /** Polls /api/v1/sip/status until `check` passes (or throws with the last status). */
  waitStatus(check: (status: SipStatus) => boolean, timeoutMs?: number): Promise<SipStatus>;
  stop(): Promise<void>;
}

export interface SipBeaconOptions {
  /** No RTP from a phone this long → the gateway hangs up (default 30000; tests shorten it). */
  rtpTimeoutMs?: number;
  noAnswerMs?: number;
  /** Gateway RTP ports (one per call, one per tapped room); default 100. */
  rtpPortCount?: number;
  env?: Record<string, string>;
  /** Reuse a data directory (restart tests: the caller owns and removes it); a fresh one by default. */
  dataDir?: string;
}

/**
 * The environment that runs the SIP gateway and Kamailio on ports of their own (for a Beacon started some other
 * way, e.g. by the e2e fixture); `sip` is where phones send SIP.
 */
export async function sipBeaconEnv(
  options: Omit<SipBeaconOptions, 'env'> = {},
): Promise<{ env: Record<string, string>; sip: { host: string; port: number } }> {
  // Kamailio listens on UDP and TCP: a port free on both, outside the kernel's ephemeral range.
  const sipPort = await freeSipPort();
  const wsPort = await freeTcpPort();
  const rtpCount = options.rtpPortCount ?? 100;
  const rtpMin = await freePortBlock(rtpCount);
  const env = {
    BEACON_SIP: 'on',
    BEACON_SIP_LISTEN: `127.0.0.1:${sipPort}`,
    BEACON_SIP_WS_PORT: String(wsPort),
    BEACON_SIP_RTP_IP: '127.0.0.1',
    BEACON_SIP_RTP_PORT_MIN: String(rtpMin),
    BEACON_SIP_RTP_PORT_MAX: String(rtpMin + rtpCount - 1),
    BEACON_SIP_RTP_TIMEOUT_MS: String(options.rtpTimeoutMs ?? 30_000),
    BEACON_SIP_NO_ANSWER_MS: String(options.noAnswerMs ?? 15_000),
  };
  return { env, sip: { host: '127.0.0.1', port: sipPort } };
}

export async function startSipBeacon(options: SipBeaconOptions = {}): Promise<SipBeacon> {
  const { env, sip } = await sipBeaconEnv(options);
  const beacon = await startBeaconProcess({
    env: { ...env, ...options.env },
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const { token: adminToken } = await loginApi(beacon.url, 'admin');
  const status = () => apiJson<SipStatus>(beacon.url, adminToken, '/api/v1/sip/status');
  const waitStatus = (check: (s: SipStatus) => boolean, timeoutMs = 30_000) =>
    waitFor('the SIP status', status, check, { timeoutMs, intervalMs: 250 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${beacon.output().slice(-3000)}`, { cause: err });
    });
  try {
    await waitStatus((s) => s.available, 45_000);
  } catch (err) {
    await beacon.stop();
    throw err;
  }
  const realm = options.env?.BEACON_SIP_REALM ?? 'beacon';
  const passwords = new Map<string, Promise<string>>();
  const phonePassword = (extension: string): Promise<string> => {
    let password = passwords.get(extension);
    if (!password) {
      password = setPhonePassword(beacon, adminToken, extension, realm);
      passwords.set(extension, password);
    }
    return password;
  };
  const addVideoTerminal = async (extension: string, townshipId: string, name = `视频终端 ${extension}`) => {
    const created = await apiJson<{ sip: { password: string } | null }>(
      beacon.url,
      adminToken,
      '/api/v1/admin/terminals',
      { method: 'POST', body: JSON.stringify({ kind: 'sip_video', name, townshipId, extension }) },
    );
    if (!created.sip) throw new Error(`terminal ${extension} was created without SIP credentials`);
    await waitForSubscriber(beacon, extension, created.sip.password, realm);
    return created.sip.password;
  };
  return {
    beacon,
    sip,
    adminToken,
    phonePassword,
    addVideoTerminal,
    status,
    waitStatus,
    stop: () => beacon.stop(),
  };
}

async function setPhonePassword(
  beacon: BeaconProcess,
  adminToken: string,
  extension: string,
  realm: string,
): Promise<string> {
  const terminals = await apiJson<TerminalView[]>(beacon.url, adminToken, '/api/v1/terminals');
  const phone = terminals.find((t) => t.kind === 'sip_phone' && t.extension === extension);
  if (!phone) throw new Error(`no desk phone with extension ${extension}`);
  const { password } = await apiJson<{ password: string }>(
    beacon.url,
    adminToken,
    `/api/v1/terminals/${encodeURIComponent(phone.id)}/sip-credentials`,
    { method: 'POST' },
  );
  await waitForSubscriber(beacon, extension, password, realm);
  return password;
}

/**
 * Resolves once Kamailio's subscriber table holds `extension` with `password`: the gateway rewrites it when
 * signaling tells it, and a REGISTER before that would be refused.
 */
export async function waitForSubscriber(
  beacon: BeaconProcess,
  extension: string,
  password: string,
  realm = 'beacon',
): Promise<void> {
  const ha1 = createHash('md5').update(`${extension}:${realm}:${password}`).digest('hex');
  const file = join(beacon.dataDir, 'sip', 'kamailio-subscribers.sqlite');
  await waitFor(
    `Kamailio's subscriber table to hold ${extension}'s new password`,
    () => subscriberHa1(file, extension),
    (current) => current === ha1,
    { timeoutMs: 20_000, intervalMs: 100 },
  );
}

function subscriberHa1(file: string, extension: string): string | null {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT ha1 FROM subscriber WHERE username = ?').get(extension) as
        | { ha1: string }
        | undefined;
      return row?.ha1 ?? null;
    } finally {
      db.close();
    }
  } catch {
    return null; // not written yet
  }
}
