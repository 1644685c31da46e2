/**
 * Where a media server may send plain RTP: the SIP gateway's own RTP
 * addresses (loopback by default). A plain consumer streams a meeting's audio
 * to whatever address the control call names, and a plain producer's remote
 * gets the node's RTCP; without this check anyone who could make a control
 * call (or a tap request through signaling) could send a meeting to any host.
 *
 * Matching uses Node's own `net.BlockList` (addresses and CIDR subnets, IPv4
 * and IPv6) rather than a hand-written matcher.
 */
import { BlockList, isIP } from 'node:net';
import { createLogger } from './logger.ts';
import { MediaError } from './MediaError.ts';

const logger = createLogger('plainTargets');

type Family = 'ipv4' | 'ipv6';
export interface AddressOrNetwork {
  address: string;
  prefix: number;
  family: Family;
}

/** `10.0.0.5`, `10.0.0.0/8`, `::1`, `fd00::/8`; null for anything else (host names included: no DNS here). */
export function parseAddressOrNetwork(text: string): AddressOrNetwork | null {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max ||
    (prefixText !== undefined && !/^\d+$/.test(prefixText))
  )
    return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export class PlainTargets {
  readonly #list = new BlockList();
  readonly #entries: readonly string[];

  /** Entries were validated by the options schema; a bad one here is a bug. */
  constructor(entries: readonly string[]) {
    this.#entries = entries;
    for (const entry of entries) {
      const parsed = parseAddressOrNetwork(entry);
      if (!parsed) throw new TypeError(`not an IP address or CIDR network: ${entry}`);
      this.#list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
  }

  allows(ip: string): boolean {
    const version = isIP(ip);
    if (version === 0) return false;
    // An IPv4-mapped IPv6 address is checked as the IPv4 address it carries.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
    if (mapped) return this.#list.check(mapped, 'ipv4');
    return this.#list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
  }

  /** Throws `target_not_allowed` (and logs it: an operator wants to know who asked) unless `ip` is allowed. */
  assert(ip: string, context: Record<string, unknown>): void {
    if (this.allows(ip)) return;
    logger.warn({ ...context, ip, allowed: this.#entries }, 'plain RTP target refused');
    throw new MediaError('target_not_allowed', `plain RTP may not be sent to ${ip} (not an allowed gateway address)`);
  }
}
