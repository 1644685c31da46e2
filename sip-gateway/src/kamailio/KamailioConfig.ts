/**
 * Renders sip-gateway/kamailio/kamailio.cfg.template. Values are validated
 * here because they land inside Kamailio's config language: a quote or a
 * newline in a realm would rewrite the routing logic.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KamailioError } from './KamailioError.ts';

export const TEMPLATE_PATH = path.resolve(import.meta.dirname, '../../kamailio/kamailio.cfg.template');

/** `ip:port`, or the gateway config's `{ ip, port }`. */
export type ListenAddress = string | { ip: string; port: number };

export interface KamailioConfigOptions {
  /** ip:port phones use (UDP and TCP). Default `0.0.0.0:5060`. */
  udpListen?: ListenAddress;
  /** ip[:port] Kamailio puts in Via/Record-Route when behind NAT. Default: none. */
  advertisedAddress?: string | null;
  /** ip:port of the gateway's WebSocket; keep it on loopback. Default `127.0.0.1:5066`. */
  wsListen?: ListenAddress;
  /** Digest realm and SIP domain. Default `beacon`. */
  realm?: string;
  /** SQLite file with `subscriber` and `version` (SubscriberDb writes it). */
  dbFile: string;
  /** Regex of numbers routed to the gateway. Default `^6[0-9]{3}$`. */
  conferencePattern?: string;
  /** The user the gateway registers as over WebSocket. Default `gateway`. */
  gatewayUser?: string;
  /** Kamailio's module directory. Default: found by `findModulesDir()`. */
  modulesDir?: string;
  /** Kamailio's run directory (0700): its JSON-RPC FIFO `rpc.fifo` and the reply FIFOs. Default `<dbFile's dir>/run`. */
  runDir?: string;
  /**
   * Addresses of peer conference systems (an upstream MCU, a city below): their INVITEs to a conference
   * number reach the gateway without digest auth — a trunk, as video networks interconnect. Default none.
   */
  peers?: string[];
  /** INVITE/REGISTER requests one non-loopback address may send within 2 s before pike ignores it. Default 40. */
  floodRequests?: number;
}

export type ResolvedKamailioConfig = Required<
  Omit<KamailioConfigOptions, 'advertisedAddress' | 'udpListen' | 'wsListen'>
> & {
  udpListen: string;
  wsListen: string;
  advertisedAddress: string | null;
  /** `<runDir>/rpc.fifo`: where JSON-RPC requests are written (FifoRpc). */
  rpcFifo: string;
};

function hostPort(address: ListenAddress): string {
  if (typeof address === 'string') return address;
  return address.ip.includes(':') ? `[${address.ip}]:${address.port}` : `${address.ip}:${address.port}`;
}

const HOST_PORT = /^[0-9a-fA-F.:[\]]+:[0-9]{1,5}$/;
const TOKEN = /^[A-Za-z0-9._-]{1,64}$/;

export function resolveKamailioConfig(options: KamailioConfigOptions): ResolvedKamailioConfig {
  const runDir = path.resolve(options.runDir ?? path.join(path.dirname(options.dbFile), 'run'));
  const resolved: ResolvedKamailioConfig = {
    udpListen: hostPort(options.udpListen ?? '0.0.0.0:5060'),
    advertisedAddress: options.advertisedAddress ?? null,
    wsListen: hostPort(options.wsListen ?? '127.0.0.1:5066'),
    realm: options.realm ?? 'beacon',
    dbFile: path.resolve(options.dbFile),
    conferencePattern: options.conferencePattern ?? '^6[0-9]{3}$',
    gatewayUser: options.gatewayUser ?? 'gateway',
    modulesDir: options.modulesDir ?? findModulesDir() ?? '/usr/lib/x86_64-linux-gnu/kamailio/modules',
    runDir,
    rpcFifo: path.join(runDir, 'rpc.fifo'),
    floodRequests: options.floodRequests ?? 40,
    peers: options.peers ?? [],
  };
  const bad = (what: string): never => {
    throw new KamailioError('bad_config', `invalid Kamailio ${what}`);
  };
  if (!HOST_PORT.test(resolved.udpListen)) bad(`udpListen ${resolved.udpListen}`);
  if (!HOST_PORT.test(resolved.wsListen)) bad(`wsListen ${resolved.wsListen}`);
  if (resolved.advertisedAddress !== null && !/^[0-9a-zA-Z.:[\]-]{1,255}$/.test(resolved.advertisedAddress)) {
    bad('advertisedAddress');
  }
  if (!TOKEN.test(resolved.realm)) bad(`realm ${resolved.realm}`);
  if (!Number.isInteger(resolved.floodRequests) || resolved.floodRequests < 1) bad('floodRequests');
  for (const peer of resolved.peers) if (!/^[0-9a-fA-F.:]{2,45}$/.test(peer)) bad(`peer ${peer}`);
  if (!TOKEN.test(resolved.gatewayUser)) bad(`gatewayUser ${resolved.gatewayUser}`);
  if (/["\r\n\\]/.test(resolved.conferencePattern)) bad('conferencePattern (no quotes, backslashes or newlines)');
  try {
    new RegExp(resolved.conferencePattern);
  } catch {
    bad(`conferencePattern ${resolved.conferencePattern}`);
  }
  if ([resolved.dbFile, resolved.modulesDir, resolved.runDir].some((p) => /["\r\n]/.test(p))) bad('path');
  return resolved;
}

export function renderKamailioConfig(
  config: ResolvedKamailioConfig,
  template = readFileSync(TEMPLATE_PATH, 'utf8'),
): string {
  const advertisedPort = config.udpListen.slice(config.udpListen.lastIndexOf(':') + 1);
  const advertise =
    config.advertisedAddress === null
      ? ''
      : ` advertise ${config.advertisedAddress.includes(':') ? config.advertisedAddress : `${config.advertisedAddress}:${advertisedPort}`}`;
  const values: Record<string, string> = {
    UDP_LISTEN: config.udpListen,
    ADVERTISE: advertise,
    WS_LISTEN: config.wsListen,
    WS_PORT: config.wsListen.slice(config.wsListen.lastIndexOf(':') + 1),
    REALM: config.realm,
    DB_URL: `sqlite://${config.dbFile}`,
    CONFERENCE_PATTERN: config.conferencePattern,
    GATEWAY_USER: config.gatewayUser,
    MODULES_DIR: config.modulesDir,
    RUN_DIR: config.runDir,
    RPC_FIFO: config.rpcFifo,
    FLOOD_REQUESTS: String(config.floodRequests),
    // Kamailio's config language has no list type: one comparison per peer (`0` — never — with none).
    PEER_SOURCE: config.peers.length === 0 ? '0' : config.peers.map((ip) => `$si == "${ip}"`).join(' || '),
  };
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new KamailioError('bad_config', `template placeholder ${match} has no value`);
    return value;
  });
}

/** Where Debian (multiarch) or a source build put Kamailio's modules; null if nowhere. */
export function findModulesDir(): string | null {
  const candidates: string[] = [];
  for (const lib of ['/usr/lib', '/usr/lib64', '/usr/local/lib', '/usr/local/lib64']) {
    candidates.push(path.join(lib, 'kamailio/modules'));
    if (!existsSync(lib)) continue;
    for (const entry of readdirSync(lib)) {
      if (entry.endsWith('-linux-gnu')) candidates.push(path.join(lib, entry, 'kamailio/modules'));
    }
  }
  return candidates.find((dir) => existsSync(path.join(dir, 'tm.so'))) ?? null;
}
