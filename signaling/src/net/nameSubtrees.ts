/**
 * Names and addresses as subtrees: `DNS:<domain>` (the name and every name
 * under it) or `IP:<address>/<prefix>`. What the CA's name constraints
 * permit and which media node addresses signaling will talk to are lists of
 * these, written by admins as `cx.gov`, `10.20.0.5` or `10.20.0.0/16`.
 */
import { BlockList, isIP } from 'node:net';

export type Subtree = { kind: 'DNS'; domain: string } | { kind: 'IP'; address: string; prefix: number };

/** `DNS:x`/`IP:y` entries (as the CA's subjectAltNames makes them) → one host subtree each. */
export function hostSubtrees(sans: readonly string[]): Subtree[] {
  return sans.map((san) => {
    const value = san.replace(/^(DNS|IP):/, '');
    const family = isIP(value);
    if (family === 0) return { kind: 'DNS', domain: value.toLowerCase() };
    return { kind: 'IP', address: value, prefix: family === 4 ? 32 : 128 };
  });
}

/**
 * An admin's extra subtree: a domain (`cx.gov`), an address, or a network in
 * CIDR form (`10.20.0.0/16`). Null when it is none of those.
 */
export function parseSubtree(text: string): Subtree | null {
  const [address, bits, ...rest] = text.trim().split('/');
  if (rest.length > 0 || !address) return null;
  const family = isIP(address);
  if (family === 0) {
    if (bits !== undefined) return null;
    const domain = address.replace(/^\./, '').toLowerCase();
    return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain)
      ? { kind: 'DNS', domain }
      : null;
  }
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) {
    return null;
  }
  return { kind: 'IP', address, prefix };
}

/** Whether a `DNS:x`/`IP:y` entry, or a bare name or address, lies within one of the subtrees. */
export function withinSubtrees(san: string, subtrees: readonly Subtree[]): boolean {
  const value = san.replace(/^(DNS|IP):/, '');
  const family = isIP(value);
  if (family === 0) {
    const name = value.toLowerCase();
    return subtrees.some((s) => s.kind === 'DNS' && (name === s.domain || name.endsWith(`.${s.domain}`)));
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return subtrees.some((s) => {
    if (s.kind !== 'IP' || isIP(s.address) !== family) return false;
    const list = new BlockList();
    list.addSubnet(s.address, s.prefix, type);
    return list.check(value, type);
  });
}
