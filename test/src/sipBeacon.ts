/**
 * A Beacon with desk phones for cross-service tests: signaling (child
 * process) → SIP gateway (its child) → Kamailio (the gateway's child), on
 * loopback ports of this test file's own, so test files never collide.
 */
import type { SipStatus } from '@beacon/protocol';
import { type BeaconProcess, startBeaconProcess } from './beaconProcess.ts';
import { freePortBlock, freeTcpPort, freeUdpPort } from './ports.ts';
import { apiJson, loginApi } from './signaling.ts';
import { waitFor } from './waitFor.ts';

export interface SipBeacon {
  beacon: BeaconProcess;
  /** Where phones send SIP (Kamailio UDP). */
  sip: { host: string; port: number };
  adminToken: string;
  status(): Promise<SipStatus>;
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
}

export async function startSipBeacon(options: SipBeaconOptions = {}): Promise<SipBeacon> {
  const sipPort = await freeUdpPort();
  const wsPort = await freeTcpPort();
  const rtpCount = options.rtpPortCount ?? 100;
  const rtpMin = await freePortBlock(rtpCount);
  const beacon = await startBeaconProcess({
    env: {
      BEACON_SIP: 'on',
      BEACON_SIP_LISTEN: `127.0.0.1:${sipPort}`,
      BEACON_SIP_WS_PORT: String(wsPort),
      BEACON_SIP_RTP_IP: '127.0.0.1',
      BEACON_SIP_RTP_PORT_MIN: String(rtpMin),
      BEACON_SIP_RTP_PORT_MAX: String(rtpMin + rtpCount - 1),
      BEACON_SIP_RTP_TIMEOUT_MS: String(options.rtpTimeoutMs ?? 30_000),
      BEACON_SIP_NO_ANSWER_MS: String(options.noAnswerMs ?? 15_000),
      ...options.env,
    },
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
  return {
    beacon,
    sip: { host: '127.0.0.1', port: sipPort },
    adminToken,
    status,
    waitStatus,
    stop: () => beacon.stop(),
  };
}
