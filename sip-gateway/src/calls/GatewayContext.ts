/**
 * What the dial-in and dial-out flows need from the running gateway: kept as
 * an interface so each flow is a small function over it.
 */
import type { SipCallDirection, SipCallOutcome } from '@beacon/protocol';
import type { PhoneMedia } from '../media/PhoneMedia.ts';
import type { PromptLibrary } from '../media/PromptLibrary.ts';
import type { UplinkCodec } from '../media/phoneCodec.ts';
import type { TerminalVideo } from '../media/TerminalVideo.ts';
import type { ViewTranscoderPool } from '../media/ViewTranscoderPool.ts';
import type { GatewayService } from '../signaling/GatewayService.ts';
import type { LegConnection, LegVideoRequest } from '../signaling/LegConnection.ts';
import type { CallLeg, LegRoomAudio } from './CallLeg.ts';
import type { PinGuard, PinLock } from './PinGuard.ts';
import type { UpstreamCalls } from './UpstreamFlow.ts';

export interface RtpSource {
  readonly localIp: string;
  readonly localPort: number;
  /** The codec the leg's producer should have (read when it is opened): G722 for a G.722 phone. */
  readonly uplinkCodec?: UplinkCodec;
}

export interface GatewayContext {
  readonly service: GatewayService;
  readonly prompts: PromptLibrary;
  readonly pinTries: number;
  /** Wrong PINs per caller and per number, and the lockouts they start. */
  readonly pins: PinGuard;
  /** A lockout started: audited by signaling, counted for /metrics. */
  pinLockout(lock: PinLock, number: string, caller: string): void;
  /** `rtpTimeoutMs` overrides the configured RTP timeout (a loudspeaker may only listen). */
  openPhoneMedia(opts?: { rtpTimeoutMs?: number }): Promise<PhoneMedia>;
  /** A SIP video terminal's video sockets (RTP/RTCP towards it, one towards the room). */
  openTerminalVideo(): Promise<TerminalVideo>;
  /** One ffmpeg per VP8 main view, shared by the terminals that watch it. */
  readonly viewTranscoders: ViewTranscoderPool;
  /** Ticks the leg's media (prompts, keypad) while it is not in a room yet. */
  lobby: { add(legId: string, media: PhoneMedia): void; remove(legId: string): void };
  /** The room's shared audio, opened on first use. */
  roomAudio(roomId: string): Promise<LegRoomAudio>;
  /** Called when a leg ended: the room's audio may close. */
  releaseRoomAudio(roomId: string): void;
  /** `source`: the leg's RTP socket (PhoneMedia), the only sender the room's producer will take audio from. */
  openLegConnection(
    roomId: string,
    token: string,
    ssrc: number,
    source: RtpSource,
    video?: LegVideoRequest,
  ): Promise<LegConnection>;
  track(leg: CallLeg, extension: string | null): void;
  /**
   * Addresses of the peer conference systems (BEACON_SIP_PEERS) Kamailio takes as trunks: a call from one of them
   * (the source Kamailio saw, X-Beacon-Source) may be the upstream conference calling in.
   */
  readonly peers: ReadonlySet<string>;
  /** The room links' calls, dialled or taken (controls from signaling name them). */
  readonly upstreamCalls: UpstreamCalls;
  /** Once per call, when its outcome is known (metrics). */
  countCall(direction: SipCallDirection, outcome: SipCallOutcome): void;
}
