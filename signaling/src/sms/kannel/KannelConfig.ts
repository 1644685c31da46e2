/**
 * kannel.conf, rendered from Beacon's configuration on every start into
 * `<dataDir>/kannel/` (mode 0600: it holds the passwords). Debian's
 * /etc/kannel/kannel.conf and its service are not used.
 *
 * Everything listens on loopback only and takes connections from loopback
 * only: bearerbox's admin port, its smsbox port, smsbox's sendsms port and the
 * fake SMSC's port. Beacon submits through sendsms with coding=2 (UCS-2) and
 * a per-message delivery-report URL; bearerbox splits long texts into
 * concatenated parts (140 octets each); replies (MO) go to one sms-service
 * whose URL carries the callback key, and it never answers the phone back.
 */
import path from 'node:path';
import { KannelError } from './KannelError.ts';
import type { KannelSecrets } from './kannelSecrets.ts';

/** Where Kannel sends the texts (config BEACON_SMSC). */
export type SmscSpec =
  /** Kannel's fake SMSC on `portBase + 3`: `fakesmsc` (kannel-extras) connects to it. Tests and demos only. */
  | { kind: 'fake' }
  /** An SMPP 3.4 account at the operator (transceiver: texts out, replies and reports in). */
  | { kind: 'smpp'; host: string; port: number; systemId: string; password: string; systemType: string }
  /** The operator's own `group = smsc` section(s) (a GSM modem, CIMD, …), included as written. */
  | { kind: 'file'; path: string };

export interface KannelConfigOptions {
  workDir: string;
  /** Four consecutive loopback TCP ports: admin, smsbox, sendsms, fake SMSC. */
  portBase: number;
  smsc: SmscSpec;
  secrets: KannelSecrets;
  /** Where smsbox sends replies (MO): a URL with Kannel's %-escapes, authenticated by its key. */
  moUrl: string;
  /** The sender number texts carry (most SMSCs replace it with the account's own); null: none set. */
  sender: string | null;
  /** Parts one text may take at most (sendsms refuses longer ones). */
  maxParts: number;
}

export interface KannelPorts {
  admin: number;
  smsbox: number;
  sendsms: number;
  fakeSmsc: number;
}

export function kannelPorts(portBase: number): KannelPorts {
  return { admin: portBase, smsbox: portBase + 1, sendsms: portBase + 2, fakeSmsc: portBase + 3 };
}

export function kannelConfigPath(workDir: string): string {
  return path.join(workDir, 'kannel.conf');
}

/** A value in double quotes; Kannel's parser has no escape for `"` itself, so it is refused. */
function quoted(value: string, name: string): string {
  if (/["\r\n]/.test(value)) throw new KannelError('bad_config', `${name}: no quotes or line breaks`);
  return `"${value}"`;
}

function smscGroup(smsc: SmscSpec, ports: KannelPorts): string[] {
  switch (smsc.kind) {
    case 'fake':
      return [
        'group = smsc',
        'smsc = fake',
        'smsc-id = fake',
        `port = ${ports.fakeSmsc}`,
        'our-host = 127.0.0.1',
        'connect-allow-ip = "127.0.0.1"',
      ];
    case 'smpp':
      return [
        'group = smsc',
        'smsc = smpp',
        'smsc-id = smpp',
        `host = ${quoted(smsc.host, 'SMPP host')}`,
        `port = ${smsc.port}`,
        'transceiver-mode = true',
        `smsc-username = ${quoted(smsc.systemId, 'SMPP system id')}`,
        `smsc-password = ${quoted(smsc.password, 'SMPP password')}`,
        `system-type = ${quoted(smsc.systemType, 'SMPP system type')}`,
      ];
    case 'file':
      return [`include = ${quoted(smsc.path, 'SMSC file')}`];
  }
}

export function renderKannelConfig(o: KannelConfigOptions): string {
  const ports = kannelPorts(o.portBase);
  const lines = [
    '# Rendered by Beacon (signaling/src/sms/kannel/KannelConfig.ts) on every start: edits here are lost.',
    'group = core',
    `admin-port = ${ports.admin}`,
    'admin-interface = "127.0.0.1"',
    `admin-password = ${quoted(o.secrets.admin, 'admin password')}`,
    `status-password = ${quoted(o.secrets.status, 'status password')}`,
    'admin-deny-ip = "*.*.*.*"',
    'admin-allow-ip = "127.0.0.1"',
    `smsbox-port = ${ports.smsbox}`,
    'smsbox-interface = "127.0.0.1"',
    'box-deny-ip = "*.*.*.*"',
    'box-allow-ip = "127.0.0.1"',
    // Delivery reports of texts in flight are lost when bearerbox restarts; the ack board then shows them
    // submitted, and escalation texts again whoever did not reply.
    'dlr-storage = internal',
    '',
    ...smscGroup(o.smsc, ports),
    '',
    'group = smsbox',
    'bearerbox-host = "127.0.0.1"',
    `sendsms-port = ${ports.sendsms}`,
    'sendsms-interface = "127.0.0.1"',
    'sendsms-chars = "0123456789"',
    ...(o.sender ? [`global-sender = ${quoted(o.sender, 'sender')}`] : []),
    // Replies reach Beacon as the phone sent them (UCS-2 as UTF-16BE), not recoded to Windows-1252.
    'mo-recode = false',
    // Never text a phone back on our behalf ("Request failed", "Empty reply"…): a warning's recipients get ours only.
    'reply-couldnotfetch = ""',
    'reply-couldnotrepresent = ""',
    'reply-requestfailed = ""',
    'reply-emptymessage = ""',
    '',
    'group = sendsms-user',
    'username = "beacon"',
    `password = ${quoted(o.secrets.sendsms, 'sendsms password')}`,
    `max-messages = ${o.maxParts}`,
    'concatenation = true',
    'user-deny-ip = "*.*.*.*"',
    'user-allow-ip = "127.0.0.1"',
    '',
    'group = sms-service',
    'keyword = default',
    'catch-all = true',
    `get-url = ${quoted(o.moUrl, 'reply URL')}`,
    'max-messages = 0',
    'omit-empty = true',
  ];
  return `${lines.join('\n')}\n`;
}
