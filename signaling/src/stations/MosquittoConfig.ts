/**
 * mosquitto's files in Beacon's data dir (`<dataDir>/mqtt`, 0700): the config, the password file (one line per
 * enabled station plus Beacon's own subscriber) and the ACL. A station may publish only on its own topic and read
 * only its own error topic (`pattern … %u`); Beacon's subscriber reads every station's readings and writes the
 * error topics. Anonymous clients are refused. Packets over `maxPacketBytes` make the broker drop the client
 * (a 10 MB payload never reaches Beacon).
 *
 * Two listeners: plain MQTT on loopback for Beacon's own subscriber (on another address only when configured
 * so), and MQTT over TLS for the stations in the field, with a certificate of Beacon's CA (mqttCertificate.ts).
 * The same passwords and ACL on both (per_listener_settings false); a station's client certificate is asked
 * for only when `requireClientCert` is set.
 */
import os from 'node:os';
import path from 'node:path';

/** Where stations publish: `beacon/stations/<station id>/readings`. */
export const READINGS_TOPIC = 'beacon/stations/+/readings';
export const readingsTopic = (stationId: string): string => `beacon/stations/${stationId}/readings`;
/** Where Beacon tells a station why a message was refused (coded errors as JSON). */
export const errorsTopic = (stationId: string): string => `beacon/stations/${stationId}/errors`;
/** Beacon's own MQTT user: the dot keeps it apart from every station id (letters, digits, - and _). */
export const INGEST_USER = 'beacon.ingest';

export interface MosquittoConfigOptions {
  /** The data dir; files go under `<dataDir>/mqtt`. */
  dataDir: string;
  /** The plain listener's port (default 1883; 0 is not allowed: mosquitto needs a real one). */
  port: number;
  /**
   * The plain listener's address (default 127.0.0.1: Beacon's own subscriber; stations use TLS). Another
   * address (0.0.0.0: all) offers plain MQTT to the network: stations' passwords and readings in clear.
   */
  host?: string | null;
  /** The TLS listener for stations; null: none (plain only). */
  tls?: MosquittoTlsListener | null;
  /** Largest MQTT packet accepted (default 64 KiB: a batch of a few hundred readings). */
  maxPacketBytes?: number;
}

export interface MosquittoTlsListener {
  /** Default 8883 (IANA's secure-mqtt). */
  port: number;
  /** Listening address; null: all interfaces (stations are in the field). */
  host: string | null;
  /** Beacon's CA: what client certificates are checked against. */
  caPath: string;
  certPath: string;
  keyPath: string;
  /** Refuse a station without a client certificate of Beacon's CA (its password is still checked). */
  requireClientCert: boolean;
}

export interface ResolvedMosquittoConfig {
  workDir: string;
  configPath: string;
  passwordPath: string;
  aclPath: string;
  pidPath: string;
  port: number;
  host: string | null;
  tls: MosquittoTlsListener | null;
  maxPacketBytes: number;
  /** The account mosquitto runs as: Beacon's own. */
  runAs: string;
}

export function resolveMosquittoConfig(opts: MosquittoConfigOptions): ResolvedMosquittoConfig {
  const workDir = path.resolve(opts.dataDir, 'mqtt');
  return {
    workDir,
    configPath: path.join(workDir, 'mosquitto.conf'),
    passwordPath: path.join(workDir, 'passwd'),
    aclPath: path.join(workDir, 'acl'),
    pidPath: path.join(workDir, 'mosquitto.pid'),
    port: opts.port,
    host: opts.host ?? '127.0.0.1',
    tls: opts.tls ?? null,
    maxPacketBytes: opts.maxPacketBytes ?? 64 * 1024,
    runAs: os.userInfo().username,
  };
}

export function renderMosquittoConfig(c: ResolvedMosquittoConfig): string {
  return [
    '# Written by Beacon at every start; edits are lost.',
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${c.passwordPath}`,
    `acl_file ${c.aclPath}`,
    `max_packet_size ${c.maxPacketBytes}`,
    // Readings are stored by Beacon once received: the broker keeps nothing across restarts.
    'persistence false',
    // Started as root, mosquitto switches to the `mosquitto` user, which may not read Beacon's 0700 data dir:
    // it stays the user Beacon runs as (a non-root mosquitto ignores this).
    `user ${c.runAs}`,
    `pid_file ${c.pidPath}`,
    'log_dest stdout',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_timestamp false',
    '',
    `listener ${c.port}${c.host ? ` ${c.host}` : ''}`,
    ...(c.tls ? renderTlsListener(c.tls) : []),
    '',
  ].join('\n');
}

function renderTlsListener(tls: MosquittoTlsListener): string[] {
  return [
    `listener ${tls.port}${tls.host ? ` ${tls.host}` : ''}`,
    `cafile ${tls.caPath}`,
    `certfile ${tls.certPath}`,
    `keyfile ${tls.keyPath}`,
    // The lowest version the HTTPS listener accepts too.
    'tls_version tlsv1.2',
    `require_certificate ${tls.requireClientCert}`,
  ];
}

export function renderMosquittoAcl(): string {
  return [
    '# Written by Beacon; edits are lost.',
    `user ${INGEST_USER}`,
    `topic read ${READINGS_TOPIC}`,
    'topic write beacon/stations/+/errors',
    '',
    '# Every station: its own readings topic, its own errors topic.',
    'pattern write beacon/stations/%u/readings',
    'pattern read beacon/stations/%u/errors',
    '',
  ].join('\n');
}

export function renderPasswordFile(entries: readonly { user: string; hash: string }[]): string {
  return `${entries.map((e) => `${e.user}:${e.hash}`).join('\n')}\n`;
}
