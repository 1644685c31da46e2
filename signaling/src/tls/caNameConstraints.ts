/**
 * Name constraints on Beacon's CA: the CA may only certify Beacon's own names
 * and addresses (and the subtrees an admin permits ahead for moves), so a
 * leaked CA key cannot impersonate other sites to every terminal that trusts
 * the CA. Browsers and OpenSSL enforce the constraints of a trusted root.
 *
 * A subtree is `DNS:<domain>` (the name and every name under it) or
 * `IP:<address>/<prefix>`. A CA made before constraints existed has none:
 * it keeps certifying whatever names the server has, so old installs renew.
 */
import { isIP } from 'node:net';
import type { Subtree } from '../net/nameSubtrees.ts';

/** The openssl extension value: `critical,permitted;DNS:…,permitted;IP:addr/mask`. */
export function nameConstraintsExtension(subtrees: readonly Subtree[]): string {
  const entries = unique(subtrees).map((s) =>
    s.kind === 'DNS' ? `permitted;DNS:${s.domain}` : `permitted;IP:${s.address}/${prefixMask(s.address, s.prefix)}`,
  );
  return `nameConstraints=critical,${entries.join(',')}`;
}

/**
 * The permitted subtrees printed by `openssl x509 -noout -ext nameConstraints`,
 * or null when the CA has no constraints.
 */
export function parseOpensslConstraints(text: string): Subtree[] | null {
  if (!/Name Constraints/i.test(text)) return null;
  const permitted = text.split(/Excluded:/i)[0] ?? '';
  const out: Subtree[] = [];
  for (const match of permitted.matchAll(/\b(DNS|IP):(\S+)/g)) {
    const [, kind, value] = match as unknown as [string, 'DNS' | 'IP', string];
    if (kind === 'DNS') out.push({ kind, domain: value.toLowerCase() });
    else {
      const [address, mask] = value.split('/');
      if (address && mask) out.push({ kind, address, prefix: maskPrefix(mask) });
    }
  }
  return out;
}

function unique(subtrees: readonly Subtree[]): Subtree[] {
  const seen = new Map<string, Subtree>();
  for (const s of subtrees) seen.set(s.kind === 'DNS' ? `DNS:${s.domain}` : `IP:${s.address}/${s.prefix}`, s);
  return [...seen.values()];
}

/** A prefix length as the dotted (IPv4) or colon (IPv6) mask openssl's config syntax wants. */
function prefixMask(address: string, prefix: number): string {
  const bytes = isIP(address) === 4 ? 4 : 16;
  const mask = Array.from({ length: bytes }, (_, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return (0xff << (8 - bits)) & 0xff;
  });
  if (bytes === 4) return mask.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((mask[i] as number) << 8) | (mask[i + 1] as number)).toString(16));
  return groups.join(':');
}

/** openssl prints masks as addresses; the prefix is the count of leading one bits. */
function maskPrefix(mask: string): number {
  if (isIP(mask) === 4) return mask.split('.').reduce((n, part) => n + popcount(Number(part)), 0);
  return mask.split(':').reduce((n, part) => n + popcount(Number.parseInt(part || '0', 16)), 0);
}

function popcount(value: number): number {
  let n = 0;
  for (let v = value; v > 0; v >>= 1) n += v & 1;
  return n;
}
