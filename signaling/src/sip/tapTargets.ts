/**
 * Where a room's audio may be sent as plain RTP (a SIP gateway tap, a phone
 * producer's remote): the gateway's own RTP addresses. The gateway Beacon
 * runs is a child process on this machine and binds its RTP sockets to one
 * of this machine's addresses (BEACON_SIP_RTP_IP, else loopback or the first
 * LAN IPv4), so by default the list is loopback plus this machine's own
 * addresses — never another host. A gateway run elsewhere is listed with
 * BEACON_SIP_TAP_ALLOW, which replaces the default.
 */
import { type InterfaceAddress, interfaceAddresses } from '../net/addresses.ts';

const LOOPBACK = ['127.0.0.0/8', '::1/128'];

/** The allowed addresses and networks: the configured list, or loopback and this machine's addresses. */
export function tapTargets(
  configured: readonly string[] | null,
  available: readonly InterfaceAddress[] = interfaceAddresses(),
): string[] {
  if (configured) return [...configured];
  return [...new Set([...LOOPBACK, ...available.map((entry) => entry.address)])];
}
