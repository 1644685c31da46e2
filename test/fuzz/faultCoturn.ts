/**
 * Kill -9 of coturn (BEACON_TURN=on) with the chair in 全市周例会: Beacon's supervisor restarts it. Measured from
 * the kill: until a TURN Allocate with the credentials a terminal gets (GET /api/v1/ice-servers) succeeds on a
 * coturn process other than the killed one.
 */
import { writeFile } from 'node:fs/promises';
import type { IceServersResponse } from '@beacon/protocol';
import { startBeaconProcess } from '../src/beaconProcess.ts';
import { freePortBlock, freeTcpPort } from '../src/ports.ts';
import { apiJson, loginApi, SignalingClient } from '../src/signaling.ts';
import { TurnTestClient } from '../src/turnClient.ts';
import { waitFor } from '../src/waitFor.ts';
import { descendant, type FaultFigures, secondsUntil } from './faultFigures.ts';
import type { FuzzOptions } from './fuzzOptions.ts';

const LIMIT_MS = 60_000;
const OFFERED_MS = 60_000;

export async function coturnFault(options: FuzzOptions): Promise<FaultFigures> {
  const turnPort = await freeTcpPort();
  const relayMin = await freePortBlock(10);
  const beacon = await startBeaconProcess({
    env: {
      LOG_LEVEL: options.FUZZ_LOG_LEVEL,
      BEACON_TURN: 'on',
      BEACON_TURN_PORT: String(turnPort),
      BEACON_TURN_RELAY_PORTS: `${relayMin}-${relayMin + 9}`,
    },
  });
  const { token } = await loginApi(beacon.url, 'chair');
  const chair = await SignalingClient.connect(beacon.url, token);
  try {
    await chair.join('city-weekly');
    // Beacon starts coturn before it listens and /readyz waits for it, so a server is offered at once; the wait
    // stays for a coturn that failed its start (its failure line is reported).
    const askedAt = performance.now();
    const server = await waitFor(
      'a TURN server offered',
      async () => (await apiJson<IceServersResponse>(beacon.url, token, '/api/v1/ice-servers')).iceServers[0],
      (offered) => offered !== undefined,
      { timeoutMs: OFFERED_MS, intervalMs: 250 },
    ).catch(() => {
      const why = /"msg":"TURN unavailable[^\n]*/.exec(beacon.output())?.[0] ?? 'coturn still not started';
      throw new Error(`no TURN server offered ${OFFERED_MS / 1000} s after Beacon was ready: ${why}`);
    });
    if (!server) throw new Error('no TURN server offered');
    const offeredAt = performance.now();
    /** One Allocate with the terminal's credentials; false on an error answer or none within 1 s. */
    const allocates = async () => {
      const client = await TurnTestClient.open({ address: '127.0.0.1', port: turnPort });
      try {
        const attempt = client.allocate({ username: server.username, password: server.credential });
        const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 1_000));
        const result = await Promise.race([attempt.catch(() => false as const), timeout]);
        return result !== false && result.ok;
      } finally {
        client.close();
      }
    };
    if (!(await allocates())) throw new Error('no TURN allocation before the kill');
    const coturn = await descendant(beacon.pid, 'turnserver');
    if (coturn === null) throw new Error('no coturn process found');
    const killedAt = performance.now();
    process.kill(coturn, 'SIGKILL');
    const seconds = await secondsUntil(
      killedAt,
      async () => {
        const now = await descendant(beacon.pid, 'turnserver');
        return now !== null && now !== coturn && (await allocates());
      },
      LIMIT_MS,
      200,
    );
    return {
      fault: 'coturn (kill -9)',
      recovered: seconds !== null,
      secondsToRecover: seconds,
      recoveredWhen: "a TURN Allocate with a terminal's credentials succeeds on the new coturn",
      ackedButLost: null,
      note:
        `TURN offered ${((offeredAt - askedAt) / 1000).toFixed(2)} s after Beacon was ready; ` +
        `chair still in the meeting: ${chair.socket.connected ? 'yes' : 'no'}`,
    };
  } finally {
    chair.close();
    if (options.FUZZ_BEACON_LOG) await writeFile(`${options.FUZZ_BEACON_LOG}.coturn`, beacon.output());
    await beacon.stop();
  }
}
