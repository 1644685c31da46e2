/**
 * Where a media server may send plain RTP: the SIP gateway's own RTP
 * addresses (loopback by default), and, when a port range is given, only
 * to the gateway's RTP ports (BEACON_SIP_RTP_PORT_MIN/MAX): an address of
 * the gateway's machine is not licence to reach every UDP service on it. A plain consumer streams a meeting's audio
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

export interface PortRange {
  min: number;
  max: number;
}

export class PlainTargets {
  readonly #list = new BlockList();
  readonly #entries: readonly string[];
  readonly #ports: PortRange | null;

  /**
   * Entries were validated by the options schema; a bad one here is a bug. `ports`: the destination ports
   * allowed (null: any port).
   */
  constructor(entries: readonly string[], ports: PortRange | null = null) {
    this.#entries = entries;
    this.#ports = ports;
    for (const entry of entries) {
      const parsed = parseAddressOrNetwork(entry);
      if (!parsed) throw new TypeError(`not an IP address or CIDR network: ${entry}`);
      this.#list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
  }

  /** Whether `port` is a destination port plain RTP may go to (inside the range, when there is one). */
  allowsPort(port: number): boolean {
    if (!Number.isInteger(port)) return false;
    return this.#ports === null || (port >= this.#ports.min && port <= this.#ports.max);
  }

  allows(ip: string): boolean {
    const version = isIP(ip);
    if (version === 0) return false;
    // An IPv4-mapped IPv6 address is checked as the IPv4 address it carries.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
    if (mapped) return this.#list.check(mapped, 'ipv4');
    return this.#list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * Throws `target_not_allowed` (and logs it: an operator wants to know who asked) unless `ip` is allowed and
   * `port` (when given) is inside the allowed range.
   */
  assert(ip: string, port: number | undefined, context: Record<string, unknown>): void {
    if (!this.allows(ip)) {
      logger.warn({ ...context, ip, port, allowed: this.#entries }, 'plain RTP target refused');
      throw new MediaError('target_not_allowed', `plain RTP may not be sent to ${ip} (not an allowed gateway address)`);
    }
    if (port !== undefined && !this.allowsPort(port)) {
      logger.warn({ ...context, ip, port, allowedPorts: this.#ports }, 'plain RTP target port refused');
      const range = this.#ports ? `${this.#ports.min}-${this.#ports.max}` : 'any';
      throw new MediaError(
        'target_not_allowed',
        `plain RTP may not be sent to port ${port} (not one of the gateway's RTP ports ${range})`,
      );
    }
  }
}
