/**
 * Leg tokens, minted the way the SIP gateway mints them: a `service` socket
 * asks `sip:legToken` once per call. Each load participant is then a caller
 * shown by number (`电话 load-<tag>-<i>`, no township).
 *
 * The service socket is closed as soon as the tokens are minted. While it is
 * open, signaling counts it as a gateway (any non-leg service socket is one,
 * see socket/SipEmitter.ts), and a dial-out started in that window would be
 * sent to it; minting up front keeps that window to a fraction of a second.
 */

import { request } from '@beacon/protocol';
import { TokenService } from '@beacon/signaling';
import { connectSocket, failureCode } from './connect.ts';

/** Sign requests in parallel batches of this size: fast, without queueing hundreds of acks at once. */
const MINT_BATCH = 50;

export type MintResult = { fromNumber: string; token: string } | { fromNumber: string; failure: string };

export async function mintLegTokens(
  url: string,
  serviceToken: string,
  fromNumbers: string[],
  timeoutMs: number,
): Promise<MintResult[]> {
  let socket: Awaited<ReturnType<typeof connectSocket>>;
  try {
    socket = await connectSocket(url, serviceToken, timeoutMs);
  } catch (err) {
    return fromNumbers.map((fromNumber) => ({ fromNumber, failure: failureCode(err) }));
  }
  const results: MintResult[] = [];
  try {
    for (let i = 0; i < fromNumbers.length; i += MINT_BATCH) {
      const batch = fromNumbers.slice(i, i + MINT_BATCH);
      const minted = await Promise.all(
        batch.map(async (fromNumber): Promise<MintResult> => {
          try {
            const payload = { callId: `load-call-${fromNumber}`, extension: null, fromNumber };
            const { token } = await request(socket, 'sip:legToken', payload, { timeoutMs });
            return { fromNumber, token };
          } catch (err) {
            return { fromNumber, failure: failureCode(err) };
          }
        }),
      );
      results.push(...minted);
    }
  } finally {
    socket.close();
  }
  return results;
}

/**
 * A service token signed with the nodes' JWT secret (BEACON_JWT_SECRET, or
 * the `jwt-secret` file in Beacon's data dir), as signaling signs the
 * gateway's. For the test harness and operators who hold the secret.
 */
export async function mintServiceToken(jwtSecret: string, ttlSeconds = 24 * 3600): Promise<string> {
  const tokens = new TokenService({ secret: new TextEncoder().encode(jwtSecret) });
  const claims = {
    userId: 'load-generator',
    username: 'load-generator',
    displayName: 'Load generator',
    role: 'service' as const,
    townshipId: null,
  };
  return (await tokens.issue(claims, { ttlSeconds })).token;
}
