/**
 * The gateway's one SIP identity: a sip.js user agent over WebSocket to
 * Kamailio, registered as `gateway`. Kamailio sends it every INVITE to a
 * conference number; the gateway dials phones through it.
 *
 * ```
 *   stopped ──start()──> connecting ──WS up──> registering ──200──> registered
 *                            ^                                         │
 *                            └────── WS lost (Kamailio restarted) ─────┘
 *                                    retry with backoff, re-REGISTER
 * ```
 */
import { TypedEmitter } from '@beacon/common';
import {
  type Invitation,
  Inviter,
  Registerer,
  RegistererState,
  type Session,
  UserAgent,
  type UserAgentOptions,
} from 'sip.js';
import { WebSocket } from 'ws';
import { createLogger } from '../logger.ts';
import { IncomingCall } from './IncomingCall.ts';
import { OutgoingCall } from './OutgoingCall.ts';
import { type RtpSdhContext, RtpSessionDescriptionHandler } from './RtpSessionDescriptionHandler.ts';
import { type AudioOffer, chooseAudioCodec, parseAudioSdp, SdpError } from './sdp.ts';
import type { GatewayUserAgentOptions, RtpEndpoint, VideoEndpoint } from './sipTypes.ts';
import { chooseH264, parseVideoSdp, type VideoOffer } from './videoSdp.ts';

export { IncomingCall } from './IncomingCall.ts';
export { OutgoingCall } from './OutgoingCall.ts';
export type * from './sipTypes.ts';

const logger = createLogger('SipUserAgent');

export type GatewayUserAgentEvents = { incoming: [IncomingCall]; registered: []; unregistered: [reason: string] };

export class GatewayUserAgent extends TypedEmitter<GatewayUserAgentEvents> {
  readonly #opts: Required<GatewayUserAgentOptions>;
  readonly #contexts = new WeakMap<Session, RtpSdhContext>();
  readonly #calls = new Set<IncomingCall | OutgoingCall>();
  #ua: UserAgent | null = null;
  #registerer: Registerer | null = null;
  #stopping = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #reconnectDelayMs = 0;
  /** What we last told listeners; sip.js's Registerer stays "Registered" across a lost WebSocket. */
  #registered = false;

  constructor(opts: GatewayUserAgentOptions) {
    super();
    this.#opts = {
      username: 'gateway',
      password: '',
      displayName: 'Beacon',
      noAnswerTimeoutMs: 30_000,
      startTimeoutMs: 15_000,
      registerExpiresSec: 300,
      ...opts,
    };
  }

  get registered(): boolean {
    return this.#registered;
  }

  /** Calls not yet ended. */
  get calls(): ReadonlySet<IncomingCall | OutgoingCall> {
    return this.#calls;
  }

  /** Connects and registers; resolves once registered, rejects after `startTimeoutMs`. */
  async start(): Promise<void> {
    if (this.#ua) throw new Error('GatewayUserAgent already started');
    // sip.js's transport uses the browser's global WebSocket: Node ≥ 22 has one; `ws` stands in on a runtime without.
    globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
    this.#stopping = false;
    const ua = new UserAgent(this.#userAgentOptions());
    const registerer = new Registerer(ua, { expires: this.#opts.registerExpiresSec });
    this.#ua = ua;
    this.#registerer = registerer;
    registerer.stateChange.addListener((state) => {
      if (state === RegistererState.Registered) this.#setRegistered(true, 'registered');
      else if (state === RegistererState.Unregistered) this.#setRegistered(false, 'unregistered');
    });

    const registered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('registered', done);
        reject(new Error(`not registered with Kamailio at ${this.#opts.wsUrl} within ${this.#opts.startTimeoutMs} ms`));
      }, this.#opts.startTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.once('registered', done);
    });
    // REGISTER goes out from the delegate's onConnect, on this and every reconnect.
    ua.start().catch(() => this.#scheduleReconnect());
    try {
      await registered;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Ends every call, unregisters, disconnects. */
  async stop(): Promise<void> {
    const ua = this.#ua;
    if (!ua) return;
    this.#stopping = true;
    clearTimeout(this.#reconnectTimer);
    for (const call of this.#calls) call.hangup();
    const registerer = this.#registerer;
    if (registerer?.state === RegistererState.Registered) {
      await Promise.race([
        new Promise<void>((resolve) => {
          registerer.stateChange.addListener((state) => {
            if (state !== RegistererState.Registered) resolve();
          });
          registerer.unregister().catch(() => resolve());
        }),
        new Promise<void>((resolve) => setTimeout(resolve, 2000)),
      ]);
    }
    await ua.stop().catch((error: unknown) => logger.debug({ err: error }, 'user agent stop failed'));
    this.#ua = null;
    this.#registerer = null;
    this.#registered = false;
  }

  /**
   * INVITE sip:<extension>@<domain> offering G.722 9, PCMU 0, PCMA 8, telephone-event 101 for `endpoint`, and
   * H.264 (videoSdp.ts OFFER_H264) for `video` when the callee is a SIP video terminal.
   */
  dial(extension: string, endpoint: RtpEndpoint, video: VideoEndpoint | null = null): OutgoingCall {
    const ua = this.#ua;
    if (!ua) throw new Error('GatewayUserAgent not started');
    const target = UserAgent.makeURI(`sip:${extension}@${this.#opts.domain}`);
    if (!target || !/^[0-9A-Za-z*#+._-]{1,32}$/.test(extension)) throw new TypeError(`bad extension ${extension}`);
    const inviter = new Inviter(ua, target, { params: { fromDisplayName: this.#opts.displayName } });
    const call = new OutgoingCall(inviter, extension, this.#opts.noAnswerTimeoutMs, logger);
    call.sdhContext.endpoint = endpoint;
    call.sdhContext.video = video;
    this.#track(inviter, call);
    logger.info({ extension, callId: call.callId, video: video !== null }, 'dialling phone');
    call.start();
    return call;
  }

  /**
   * INVITE an outside conference by its SIP URI (the upstream, 上联), through Kamailio like any dial-out,
   * offering the audio and, with `video`, H.264 exactly as to a SIP video terminal.
   */
  dialUri(uri: string, endpoint: RtpEndpoint, video: VideoEndpoint | null): OutgoingCall {
    const ua = this.#ua;
    if (!ua) throw new Error('GatewayUserAgent not started');
    const target = UserAgent.makeURI(uri);
    if (!target?.user) throw new TypeError(`bad SIP URI ${uri}`);
    const inviter = new Inviter(ua, target, { params: { fromDisplayName: this.#opts.displayName } });
    const call = new OutgoingCall(inviter, target.user, this.#opts.noAnswerTimeoutMs, logger);
    call.sdhContext.endpoint = endpoint;
    call.sdhContext.video = video;
    this.#track(inviter, call);
    logger.info({ uri, callId: call.callId, video: video !== null }, 'dialling the upstream conference');
    call.start();
    return call;
  }

  #userAgentOptions(): UserAgentOptions {
    const { username, password, domain, displayName, wsUrl } = this.#opts;
    return {
      uri: UserAgent.makeURI(`sip:${username}@${domain}`),
      authorizationUsername: username,
      authorizationPassword: password,
      displayName,
      // Kamailio rewrites the R-URI of calls for us to our Contact: same user.
      contactName: username,
      transportOptions: { server: wsUrl, connectionTimeout: 5, keepAliveInterval: 20 },
      userAgentString: 'Beacon SIP gateway',
      // The gateway answers conference calls at once; a 180 first would only
      // make phones ring back for a few milliseconds.
      sendInitialProvisionalResponse: false,
      logBuiltinEnabled: false,
      logLevel: 'warn',
      logConnector: (level, category, _label, content) => {
        const log = level === 'error' ? logger.warn.bind(logger) : logger.debug.bind(logger);
        log({ category }, content);
      },
      sessionDescriptionHandlerFactory: (session) => {
        const context = this.#contexts.get(session);
        if (!context) throw new Error('session without RTP context');
        return new RtpSessionDescriptionHandler(context);
      },
      delegate: {
        onInvite: (invitation) => this.#onInvite(invitation),
        onConnect: () => {
          logger.debug('WebSocket to Kamailio up');
          this.#register();
        },
        onDisconnect: (error) => {
          if (this.#stopping) return;
          logger.warn({ err: error }, 'WebSocket to Kamailio lost; reconnecting');
          this.#setRegistered(false, 'disconnected');
          this.#scheduleReconnect();
        },
      },
    };
  }

  #register(): void {
    if (this.#stopping) return;
    this.#registerer
      ?.register({ requestDelegate: { onAccept: () => this.#setRegistered(true, 'registered') } })
      .catch((error: unknown) => logger.warn({ err: error }, 'REGISTER failed'));
  }

  #setRegistered(registered: boolean, reason: string): void {
    if (registered === this.#registered || (this.#stopping && !registered)) return;
    this.#registered = registered;
    if (registered) {
      this.#reconnectDelayMs = 0;
      logger.info({ user: this.#opts.username }, 'registered with Kamailio');
      this.safeEmit('registered');
    } else {
      logger.info({ reason }, 'not registered with Kamailio');
      this.safeEmit('unregistered', reason);
    }
  }

  #scheduleReconnect(): void {
    if (this.#stopping || !this.#ua) return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectDelayMs = Math.min(Math.max(this.#reconnectDelayMs * 2, 250), 5000);
    this.#reconnectTimer = setTimeout(() => {
      const ua = this.#ua;
      if (this.#stopping || !ua) return;
      ua.reconnect().catch(() => this.#scheduleReconnect());
    }, this.#reconnectDelayMs);
  }

  #onInvite(invitation: Invitation): void {
    const body = invitation.request.body;
    let offer: AudioOffer | null = null;
    let video: VideoOffer | null = null;
    if (body) {
      try {
        offer = parseAudioSdp(body);
        chooseAudioCodec(offer);
        video = parseVideoSdp(body);
      } catch (error) {
        const reason = error instanceof SdpError ? error.code : String(error);
        logger.info({ callId: invitation.request.callId, reason }, 'INVITE with unusable SDP: 488');
        invitation.reject({ statusCode: 488 }).catch(() => {});
        return;
      }
    }
    if (video && chooseH264(video) === null) {
      // Not a refusal: the answer rejects the video stream and the call is audio only.
      const offered = video.h264.map((f) => `${f.profileLevelId}/pm${f.packetizationMode}`);
      logger.info({ callId: invitation.request.callId, offered }, 'video offered without H.264 mode 1: audio only');
    }
    const call = new IncomingCall(invitation, offer, logger, video);
    this.#track(invitation, call);
    logger.info({ callId: call.callId, from: call.fromUser, to: call.toUser }, 'incoming call');
    this.safeEmit('incoming', call);
  }

  #track(session: Session, call: IncomingCall | OutgoingCall): void {
    this.#contexts.set(session, call.sdhContext);
    this.#calls.add(call);
    call.on('ended', () => this.#calls.delete(call));
  }
}
