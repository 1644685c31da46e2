/**
 * The running SIP gateway: Kamailio in front of the phones, a sip.js user
 * agent behind it, the service socket to signaling, one mixer clock for
 * every room, and the calls (legs) in flight.
 *
 * Start order matters: signaling first (the subscriber table comes from it),
 * then Kamailio (phones can register), then the user agent (calls can
 * arrive). When Kamailio is not installed the gateway still connects and
 * tells signaling why phones are unavailable, so the console can say so.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TypedEmitter } from '@beacon/common';
import type { DialRequest } from '@beacon/protocol';
import { runAlertCall } from './calls/AlertCallFlow.ts';
import { runBroadcastCall } from './calls/BroadcastCallFlow.ts';
import { CallCounters } from './calls/CallCounters.ts';
import type { CallLeg } from './calls/CallLeg.ts';
import { runDialIn } from './calls/DialInFlow.ts';
import { runDialOut } from './calls/DialOutFlow.ts';
import type { GatewayContext } from './calls/GatewayContext.ts';
import { Lobby } from './calls/Lobby.ts';
import { PinGuard } from './calls/PinGuard.ts';
import { runUpstream, UpstreamCalls } from './calls/UpstreamFlow.ts';
import type { GatewayConfig } from './config.ts';
import { KamailioProcess } from './kamailio/KamailioProcess.ts';
import { RegistrationMonitor } from './kamailio/RegistrationMonitor.ts';
import { SubscriberDb } from './kamailio/SubscriberDb.ts';
import { createLogger } from './logger.ts';
import { MixerClock } from './media/MixerClock.ts';
import { PhoneMedia } from './media/PhoneMedia.ts';
import { PromptLibrary } from './media/PromptLibrary.ts';
import { TerminalVideo } from './media/TerminalVideo.ts';
import { ViewTranscoderPool } from './media/ViewTranscoderPool.ts';
import { RoomAudioRegistry } from './rooms/RoomAudioRegistry.ts';
import { GatewayService } from './signaling/GatewayService.ts';
import { LegConnection } from './signaling/LegConnection.ts';
import { ParentToken } from './signaling/ParentToken.ts';
import { GatewayUserAgent } from './sip/GatewayUserAgent.ts';

const logger = createLogger('Gateway');

/** How often the registrations are re-sent even without a change (signaling may have restarted). */
const STATUS_REFRESH_MS = 30_000;
/** How often an idle gateway checks whether to reconnect its service socket with a renewed token. */
const TOKEN_REFRESH_CHECK_MS = 5 * 60_000;
/** Security counters (dropped RTP) reach signaling at most this often: a flood must not become a report flood. */
const COUNTER_REPORT_MS = 1000;
/** How often `<workDir>/gateway-stats.json` (mixer clock, legs; read by operators and the bench) is rewritten. */
const STATS_FILE_MS = 5000;

export type GatewayEvents = {
  /** The gateway cannot serve phones any more (Kamailio died): the process should exit and be restarted. */
  fatal: [reason: string];
};

export class Gateway extends TypedEmitter<GatewayEvents> {
  readonly config: GatewayConfig;
  readonly service: GatewayService;
  readonly clock = new MixerClock();
  /** Call outcomes since this process started; reported to signaling with every status. */
  readonly calls = new CallCounters();
  readonly prompts: PromptLibrary;
  readonly #lobby = new Lobby();
  readonly #upstreamCalls = new UpstreamCalls();
  /** BEACON_SIP_PEERS, for classifying calls in (the upstream calling in skips the PIN). */
  readonly #peers: ReadonlySet<string>;
  readonly #viewTranscoders = new ViewTranscoderPool();
  readonly #pins: PinGuard;
  readonly #rooms: RoomAudioRegistry;
  readonly #legs = new Map<string, { leg: CallLeg; extension: string | null }>();
  #kamailio: KamailioProcess | null = null;
  #subscribers: SubscriberDb | null = null;
  #monitor: RegistrationMonitor | null = null;
  #ua: GatewayUserAgent | null = null;
  #unavailable: string | null = null;
  #statusTimer: NodeJS.Timeout | undefined;
  #statsTimer: NodeJS.Timeout | undefined;
  #stopping = false;
  #reportQueued = false;
  #counterReport: NodeJS.Timeout | undefined;
  #tokenTimer: NodeJS.Timeout | undefined;

  private constructor(config: GatewayConfig, service: GatewayService) {
    super();
    this.config = config;
    this.service = service;
    this.#peers = new Set(config.peers.map((ip) => ip.toLowerCase()));
    this.prompts = new PromptLibrary({ cacheDir: config.promptDir });
    this.#pins = new PinGuard(config.pinGuard);
    this.#rooms = new RoomAudioRegistry(service, this.clock, {
      localIp: config.rtpIp,
      portRange: config.rtpPorts,
      maxSpeakers: config.maxSpeakers,
      onForeignPacket: () => this.#countForeignRtp(),
    });
    this.clock.add(this.#lobby);
  }

  static async start(config: GatewayConfig): Promise<Gateway> {
    mkdirSync(config.workDir, { recursive: true });
    const token = config.token ?? (await ParentToken.fromParent());
    const service = await GatewayService.connect(
      config.signalingUrl,
      typeof token === 'string' ? token : () => token.current,
    );
    const gateway = new Gateway(config, service);
    try {
      await gateway.#start();
    } catch (err) {
      await gateway.stop();
      throw err;
    }
    return gateway;
  }

  /** Calls in flight (for tests and the status report). */
  get legs(): CallLeg[] {
    return [...this.#legs.values()].map((entry) => entry.leg);
  }

  async #start(): Promise<void> {
    await this.prompts.prepare();
    this.clock.start();
    this.#statsTimer = setInterval(() => this.#writeStats(), STATS_FILE_MS);
    this.#tokenTimer = setInterval(
      () => this.service.refreshIfDue(this.#legs.size === 0 && this.#rooms.size === 0),
      TOKEN_REFRESH_CHECK_MS,
    );
    this.#tokenTimer.unref();
    if (!KamailioProcess.available(this.config.kamailioBin)) {
      this.#unavailable = 'kamailio_not_installed';
      logger.warn(
        'Kamailio is not installed: desk phones cannot connect (apt-get install kamailio kamailio-websocket-modules kamailio-sqlite-modules)',
      );
      await this.#reportStatus();
      return;
    }
    this.#subscribers = new SubscriberDb(
      path.join(this.config.workDir, 'kamailio-subscribers.sqlite'),
      this.config.realm,
    );
    // Drawn anew on every start and never written anywhere but as an HA1 in the subscriber file:
    // only this process can register as the gateway over Kamailio's loopback WebSocket.
    const password = randomBytes(24).toString('base64url');
    this.#subscribers.setServiceUser('gateway', password);
    await this.#syncSubscribers();
    this.service.on('credentials', () => void this.#syncSubscribers());
    const kamailio = new KamailioProcess({
      binary: this.config.kamailioBin,
      workDir: this.config.workDir,
      udpListen: this.config.sipListen,
      advertisedAddress: this.config.advertisedIp,
      wsListen: { ip: '127.0.0.1', port: this.config.wsPort },
      realm: this.config.realm,
      dbFile: this.#subscribers.file,
      // The duty number rides the conference route: Kamailio's regexes are POSIX extended, `|` works.
      conferencePattern: `(${this.config.conferencePattern})|(^${this.config.dutyNumber}$)`,
      peers: this.config.peers,
    });
    this.#kamailio = kamailio;
    kamailio.on('exit', (code, signal) => {
      if (this.#stopping) return;
      logger.error({ code, signal }, 'Kamailio exited: phones are unavailable until the gateway restarts');
      this.#unavailable = 'kamailio_exited';
      void this.#reportStatus().then(() => this.safeEmit('fatal', 'kamailio_exited'));
    });
    await kamailio.start();
    this.#ua = new GatewayUserAgent({
      wsUrl: `ws://127.0.0.1:${this.config.wsPort}`,
      domain: this.config.realm,
      password,
      noAnswerTimeoutMs: this.config.noAnswerMs,
    });
    this.#ua.on('incoming', (call) => void runDialIn(this.#context(), call));
    this.service.on('dial', (request) => this.#dial(request));
    this.service.on('upstream', (request) => {
      if (!this.#ua || this.#unavailable) {
        this.service.reportDialState(request.requestId, 'failed', this.#unavailable ?? 'not ready');
        return;
      }
      void runUpstream(this.#context(), this.#ua, this.#upstreamCalls, request);
    });
    this.service.on('upstreamControl', (control) => this.#upstreamCalls.control(control));
    this.service.on('alertCall', (alert) => {
      if (!this.#ua || this.#unavailable) {
        this.service.reportAlertCallState(alert, 'failed', this.#unavailable ?? 'not ready');
        return;
      }
      void runAlertCall(this.#context(), this.#ua, alert);
    });
    this.service.on('broadcast', (broadcast) => {
      if (!this.#ua || this.#unavailable) {
        this.service.reportBroadcastState(broadcast, 'failed', this.#unavailable ?? 'not ready');
        return;
      }
      void runBroadcastCall(this.#context(), this.#ua, broadcast);
    });
    await this.#ua.start();
    this.#monitor = new RegistrationMonitor({ rpc: (method, params) => kamailio.rpc(method, params) });
    this.#monitor.on('change', () => void this.#reportStatus());
    this.#monitor.start();
    this.service.on('reconnected', () => void this.#reportStatus());
    this.#statusTimer = setInterval(() => void this.#reportStatus(), STATUS_REFRESH_MS);
    await this.#reportStatus();
    logger.info(
      { sip: `${this.config.sipListen.ip}:${this.config.sipListen.port}`, rtp: this.config.rtpIp },
      'SIP gateway ready',
    );
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#statusTimer);
    clearInterval(this.#statsTimer);
    clearTimeout(this.#counterReport);
    clearInterval(this.#tokenTimer);
    await Promise.allSettled(this.legs.map((leg) => leg.end('gateway_stopping')));
    await this.#rooms.closeAll();
    this.#viewTranscoders.stopAll();
    this.#monitor?.stop();
    await this.#ua?.stop().catch((err: unknown) => logger.warn({ err }, 'user agent stop failed'));
    await this.#kamailio?.stop();
    this.#subscribers?.close();
    this.clock.stop();
    this.service.close();
  }

  #writeStats(): void {
    const stats = {
      at: new Date().toISOString(),
      pid: process.pid,
      legs: this.#legs.size,
      rooms: this.#rooms.size,
      viewTranscoders: this.#viewTranscoders.size,
      clock: { ...this.clock.stats },
    };
    const file = path.join(this.config.workDir, 'gateway-stats.json');
    // Write then rename: a reader never sees half a file.
    writeFile(`${file}.tmp`, JSON.stringify(stats))
      .then(() => rename(`${file}.tmp`, file))
      .catch((err: unknown) => logger.debug({ err }, 'stats file not written'));
  }

  #dial(request: DialRequest): void {
    if (!this.#ua || this.#unavailable) {
      this.service.reportDialState(request.requestId, 'failed', this.#unavailable ?? 'not ready');
      return;
    }
    void runDialOut(this.#context(), this.#ua, request);
  }

  async #syncSubscribers(): Promise<void> {
    try {
      const { subscribers } = await this.service.subscribers();
      this.#subscribers?.replaceAll(subscribers.map((s) => ({ ...s, domain: this.config.realm })));
      logger.info({ count: subscribers.length }, 'phone credentials synchronised to Kamailio');
      const dropped = await this.#monitor?.dropAllBut(new Set(subscribers.map((s) => s.username)));
      if (dropped?.length) logger.info({ extensions: dropped }, 'registrations of removed phones dropped');
    } catch (err) {
      logger.error({ err }, 'could not synchronise phone credentials');
    }
  }

  async #reportStatus(): Promise<void> {
    const registrations = this.#monitor?.snapshot() ?? [];
    const inCall = [...this.#legs.values()].flatMap((entry) => (entry.extension ? [entry.extension] : []));
    await this.service.reportStatus({
      kamailio: this.#unavailable ? 'unavailable' : 'running',
      reason: this.#unavailable,
      registrations: registrations.map((r) => ({ extension: r.extension, contact: r.contact, expiresAt: r.expiresAt })),
      inCall,
      counters: this.calls.snapshot(this.clock.stats),
    });
  }

  /**
   * A call's outcome is often counted in an `ended` listener that runs after the one that
   * reported the leg's end: one report on the next turn carries both, coalesced.
   */
  #reportSoon(): void {
    if (this.#reportQueued) return;
    this.#reportQueued = true;
    setImmediate(() => {
      this.#reportQueued = false;
      if (!this.#stopping) void this.#reportStatus();
    });
  }

  #countForeignRtp(): void {
    this.calls.rtpForeignDropped++;
    this.#counterReport ??= setTimeout(() => {
      this.#counterReport = undefined;
      if (!this.#stopping) void this.#reportStatus();
    }, COUNTER_REPORT_MS);
  }

  #context(): GatewayContext {
    return {
      service: this.service,
      prompts: this.prompts,
      pinTries: this.config.pinTries,
      pins: this.#pins,
      pinLockout: ({ scope, failures, lockedForMs }, number, caller) => {
        logger.warn({ scope, number, caller, lockedForMs }, 'PIN entry locked');
        this.calls.pinLockouts++;
        this.#reportSoon();
        this.service.reportPinLockout({ scope, number, caller, failures, lockedForMs });
      },
      openPhoneMedia: (opts) =>
        PhoneMedia.open({
          localIp: this.config.rtpIp,
          portRange: this.config.rtpPorts,
          rtpTimeoutMs: opts?.rtpTimeoutMs ?? this.config.rtpTimeoutMs,
          onForeignPacket: () => this.#countForeignRtp(),
        }),
      openTerminalVideo: () => TerminalVideo.open({ localIp: this.config.rtpIp, portRange: this.config.rtpPorts }),
      viewTranscoders: this.#viewTranscoders,
      lobby: this.#lobby,
      roomAudio: (roomId) => this.#rooms.acquire(roomId),
      releaseRoomAudio: (roomId) => this.#rooms.release(roomId),
      openLegConnection: (roomId, token, ssrc, source, video) =>
        LegConnection.open({ signalingUrl: this.config.signalingUrl, token, roomId, ssrc, source, video }),
      countCall: (direction, outcome) => {
        this.calls.record(direction, outcome);
        this.#reportSoon();
      },
      track: (leg, extension) => {
        if (this.#stopping) {
          void leg.end('gateway_stopping');
          return;
        }
        this.#legs.set(leg.legId, { leg, extension });
        void this.#reportStatus();
        leg.once('ended', () => {
          this.#legs.delete(leg.legId);
          void this.#reportStatus();
        });
      },
      peers: this.#peers,
      upstreamCalls: this.#upstreamCalls,
    };
  }
}
