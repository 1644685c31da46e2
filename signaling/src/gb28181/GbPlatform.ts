/**
 * Beacon as the SIP server (platform, 平台) of GB/T 28181-2016: devices
 * register with digest auth, say they are alive with keepalive MESSAGEs, list
 * their channels when asked (Catalog), take PTZ commands, and send live video
 * after an INVITE (see LiveView). One instance per signaling node that has
 * `BEACON_GB28181=on`.
 *
 * A device is online from a successful REGISTER until it unregisters, its
 * registration expires, or `missedKeepalives` keepalive intervals pass without
 * a keepalive (any MESSAGE from it counts) — the ticker checks every second.
 */
import { TypedEmitter } from '@beacon/common';
import { createLogger } from '../logger.ts';
import type { CameraRepository } from '../store/cameraTypes.ts';
import { type CatalogChannel, CatalogCollector, readCatalogPage } from './catalog.ts';
import { DigestAuth, parseAuthorization } from './digest.ts';
import { GB_ID, GbError, refused } from './GbError.ts';
import { type Manscdp, parseManscdp, writeManscdp } from './manscdp.ts';
import { type PtzRequest, ptzCmdText } from './ptzCmd.ts';
import { newTag, type SipEndpoint, type SipPeer } from './SipEndpoint.ts';
import { addressUri, type SipRequest, uriUser } from './sipMessage.ts';

const logger = createLogger('gb28181');
const MANSCDP_TYPE = 'Application/MANSCDP+xml';

export interface GbPlatformOptions {
  /** 20-digit ID of the platform (its SIP user). */
  serverId: string;
  /** The domain code (realm), normally the first 10 digits of the server ID. */
  realm: string;
  /** The keepalive interval devices are configured with; default 60 s. */
  keepaliveMs: number;
  /** Intervals without a keepalive before a device is offline; default 3 (GB/T 28181 §9.6). */
  missedKeepalives: number;
  /** How long to wait for all pages of a catalog; default 10 s. */
  catalogWaitMs?: number;
}

export interface DeviceSession {
  deviceId: string;
  peer: SipPeer;
  registeredAt: number;
  expiresAt: number;
  lastSeen: number;
}

export type GbPlatformEvents = {
  /** A device came online or went offline (`reason` says why: register, unregister, expired, keepalive). */
  status: [{ deviceId: string; online: boolean; reason: string }];
  /** A catalog query finished: the channels it listed were stored. */
  catalog: [{ deviceId: string; channels: CatalogChannel[] }];
  /** The device hung up a live view (BYE from it). */
  bye: [{ callId: string }];
};

export class GbPlatform extends TypedEmitter<GbPlatformEvents> {
  readonly #sip: SipEndpoint;
  readonly #repo: CameraRepository;
  readonly #opts: GbPlatformOptions;
  readonly #auth: DigestAuth;
  readonly #sessions = new Map<string, DeviceSession>();
  readonly #catalogs = new Map<string, { collector: CatalogCollector; done: () => void }>();
  readonly #fromTag = newTag();
  #sn = 1;
  #ticker: NodeJS.Timeout | null = null;

  constructor(opts: { sip: SipEndpoint; repo: CameraRepository; options: GbPlatformOptions }) {
    super();
    this.#sip = opts.sip;
    this.#repo = opts.repo;
    this.#opts = opts.options;
    this.#auth = new DigestAuth(opts.options.realm);
  }

  get sip(): SipEndpoint {
    return this.#sip;
  }

  get options(): GbPlatformOptions {
    return this.#opts;
  }

  async start(): Promise<SipPeer> {
    const bound = await this.#sip.start((request, from) => void this.#handle(request, from));
    this.#ticker = setInterval(() => this.#tick(Date.now()), 1000);
    this.#ticker.unref();
    logger.info(
      { port: bound.port, tcp: this.#sip.tcp, serverId: this.#opts.serverId, realm: this.#opts.realm },
      'GB/T 28181 platform listening',
    );
    return bound;
  }

  close(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#sip.close();
    this.#sessions.clear();
  }

  isOnline(deviceId: string): boolean {
    return this.#sessions.has(deviceId);
  }

  session(deviceId: string): DeviceSession {
    const session = this.#sessions.get(deviceId);
    if (!session) throw new GbError('device_offline', `device ${deviceId} is not registered`);
    return session;
  }

  onlineDevices(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Asks the device for its channels, waits for every page (or `catalogWaitMs`), stores and returns them. */
  async queryCatalog(deviceId: string): Promise<CatalogChannel[]> {
    const sn = this.#sn++;
    const collector = new CatalogCollector(sn);
    const finished = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#opts.catalogWaitMs ?? 10_000);
      this.#catalogs.set(`${deviceId}:${sn}`, {
        collector,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
    try {
      await this.#message(deviceId, writeManscdp('Query', { CmdType: 'Catalog', SN: sn, DeviceID: deviceId }));
      await finished;
    } finally {
      this.#catalogs.delete(`${deviceId}:${sn}`);
    }
    const channels = collector.channels;
    await this.#repo.replaceChannels(
      deviceId,
      channels.map((c) => ({ ...c, lon: c.longitude, lat: c.latitude, reportedOnline: c.online })),
    );
    logger.info({ deviceId, channels: channels.length, complete: collector.complete }, 'catalog stored');
    this.safeEmit('catalog', { deviceId, channels });
    return channels;
  }

  /** Sends one PTZ command to a channel of the device. */
  async ptz(deviceId: string, channelId: string, request: PtzRequest): Promise<string> {
    const command = ptzCmdText(request);
    await this.#deviceControl(deviceId, channelId, { PTZCmd: command });
    return command;
  }

  /**
   * Asks a channel for a key frame now: GB/T 28181-2016 A.2.3 强制关键帧, a DeviceControl whose element is
   * spelt `IFameCmd` in the standard (and by the devices that follow it) with the value `Send`.
   */
  async requestKeyFrame(deviceId: string, channelId: string): Promise<void> {
    await this.#deviceControl(deviceId, channelId, { IFameCmd: 'Send' });
  }

  #deviceControl(deviceId: string, channelId: string, command: Record<string, string>): Promise<void> {
    const fields = { CmdType: 'DeviceControl', SN: this.#sn++, DeviceID: channelId, ...command };
    return this.#message(deviceId, writeManscdp('Control', fields));
  }

  /** The headers every request to a device carries. */
  dialogHeaders(deviceId: string, targetId: string, callId: string, seq: number, method: string, toTag?: string) {
    const { realm, serverId } = this.#opts;
    const headers: [string, string][] = [
      ['From', `<sip:${serverId}@${realm}>;tag=${this.#fromTag}`],
      ['To', `<sip:${targetId}@${realm}>${toTag ? `;tag=${toTag}` : ''}`],
      ['Call-ID', callId],
      ['CSeq', `${seq} ${method}`],
    ];
    const { peer } = this.session(deviceId);
    const transport = peer.transport === 'tcp' ? ';transport=tcp' : '';
    return { uri: `sip:${targetId}@${peer.ip}:${peer.port}${transport}`, headers };
  }

  async #message(deviceId: string, body: Buffer): Promise<void> {
    const session = this.session(deviceId);
    const { uri, headers } = this.dialogHeaders(deviceId, deviceId, `${newTag()}@beacon`, 1, 'MESSAGE');
    const response = await this.#sip.request(session.peer, {
      method: 'MESSAGE',
      uri,
      headers: [...headers, ['Content-Type', MANSCDP_TYPE]],
      body,
    });
    if (response.status >= 300) throw refused('MESSAGE', response);
  }

  async #handle(request: SipRequest, from: SipPeer): Promise<void> {
    try {
      switch (request.method) {
        case 'REGISTER':
          await this.#register(request, from);
          return;
        case 'MESSAGE':
          this.#messageIn(request, from);
          return;
        case 'BYE':
          this.#sip.respond(request, from, 200, 'OK');
          this.safeEmit('bye', { callId: request.headers.require('call-id') });
          return;
        case 'ACK':
          return;
        default:
          this.#sip.respond(request, from, 405, 'Method Not Allowed', [['Allow', 'REGISTER, MESSAGE, BYE, ACK']]);
      }
    } catch (err) {
      const code = err instanceof GbError ? err.code : 'internal';
      logger.warn({ code, reason: (err as Error).message, method: request.method, from }, 'device request refused');
      if (request.method !== 'ACK') {
        try {
          this.#sip.respond(request, from, code === 'internal' ? 500 : 400, code);
        } catch {
          // Headers too broken to answer: nothing to send.
        }
      }
    }
  }

  async #register(request: SipRequest, from: SipPeer): Promise<void> {
    const deviceId = uriUser(addressUri(request.headers.require('from')));
    if (!GB_ID.test(deviceId))
      throw new GbError('bad_device_id', `REGISTER from "${deviceId.slice(0, 40)}", not 20 digits`);
    const authorization = request.headers.get('authorization');
    const credentials = authorization ? parseAuthorization(authorization) : null;
    if (!credentials) {
      this.#sip.respond(request, from, 401, 'Unauthorized', [['WWW-Authenticate', this.#auth.challenge()]]);
      return;
    }
    const ha1 = credentials.username === deviceId ? await this.#repo.digestHa1(deviceId, this.#opts.realm) : undefined;
    const verdict = ha1 ? this.#auth.verify(credentials, 'REGISTER', ha1) : 'wrong';
    if (verdict === 'stale') {
      this.#sip.respond(request, from, 401, 'Unauthorized', [['WWW-Authenticate', this.#auth.challenge(true)]]);
      return;
    }
    if (verdict === 'wrong') {
      logger.warn({ deviceId, from, known: ha1 !== undefined }, 'device registration refused');
      this.#sip.respond(request, from, 403, 'Forbidden');
      return;
    }
    const expires = Math.min(Number(request.headers.get('expires') ?? 3600) || 0, 86_400);
    const now = Date.now();
    this.#sip.respond(request, from, 200, 'OK', [
      ['Expires', String(expires)],
      ['Date', new Date(now).toISOString().slice(0, 23)],
    ]);
    if (expires === 0) {
      this.#offline(deviceId, 'unregister');
      return;
    }
    const known = this.#sessions.get(deviceId);
    this.#sessions.set(deviceId, {
      deviceId,
      peer: from,
      registeredAt: known?.registeredAt ?? now,
      expiresAt: now + expires * 1000,
      lastSeen: now,
    });
    if (!known) {
      logger.info({ deviceId, from, transport: from.transport ?? 'udp' }, 'device registered');
      this.safeEmit('status', { deviceId, online: true, reason: 'register' });
    }
  }

  #messageIn(request: SipRequest, from: SipPeer): void {
    let doc: Manscdp;
    try {
      doc = parseManscdp(request.body);
    } catch (err) {
      const code = err instanceof GbError ? err.code : 'manscdp_not_xml';
      this.#sip.respond(request, from, 400, code);
      logger.warn({ code, reason: (err as Error).message, from }, 'MANSCDP body refused');
      return;
    }
    const sender = uriUser(addressUri(request.headers.require('from')));
    const session = this.#sessions.get(sender);
    if (!session) {
      // Not registered (or expired): GB/T 28181 devices re-register when the platform refuses them.
      this.#sip.respond(request, from, 403, 'Forbidden');
      return;
    }
    this.#sip.respond(request, from, 200, 'OK');
    session.lastSeen = Date.now();
    session.peer = from;
    if (doc.kind === 'Response' && doc.cmdType === 'Catalog') {
      const page = readCatalogPage(doc);
      const waiting = this.#catalogs.get(`${sender}:${page.sn}`);
      if (page.dropped > 0) logger.warn({ deviceId: sender, dropped: page.dropped }, 'catalog items with bad IDs');
      if (waiting?.collector.add(page)) waiting.done();
    }
  }

  #offline(deviceId: string, reason: string): void {
    if (!this.#sessions.delete(deviceId)) return;
    logger.info({ deviceId, reason }, 'device offline');
    this.safeEmit('status', { deviceId, online: false, reason });
  }

  #tick(now: number): void {
    const silence = this.#opts.keepaliveMs * this.#opts.missedKeepalives;
    for (const session of [...this.#sessions.values()]) {
      if (now > session.expiresAt) this.#offline(session.deviceId, 'expired');
      else if (now - session.lastSeen > silence) this.#offline(session.deviceId, 'keepalive');
    }
  }
}
