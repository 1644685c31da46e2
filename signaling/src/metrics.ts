/**
 * Prometheus registry of one Beacon node: gauges read from counts at scrape
 * time (nothing to keep in sync), and the counters and histograms an operator
 * alerts on — joins and their failures, sign-in failures, alert delivery and
 * acknowledgement, the SIP gateway's calls and mixer clock.
 *
 * Labels come only from small fixed sets (error codes, reasons, channels, call
 * outcomes): room ids and usernames are unbounded and would blow up the series
 * count, and a username in a metric would leak who is being attacked.
 */
import type { MediaControl } from '@beacon/media-server';
import type { AckChannel, ErrorCode } from '@beacon/protocol';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { GatewayMetrics } from './gatewayMetrics.ts';
import type { RoomRegistry } from './rooms/RoomRegistry.ts';

/** Why a sign-in (POST /api/v1/auth/login) was refused. Never the username. */
export const SIGN_IN_FAILURE_REASONS = [
  'unknown_user',
  'wrong_password',
  'malformed',
  'account_disabled',
  'rate_limited',
] as const;
export type SignInFailureReason = (typeof SIGN_IN_FAILURE_REASONS)[number];

const ACK_CHANNELS: readonly AckChannel[] = ['terminal', 'phone', 'console'];

/** A terminal's banner normally shows within a second; minutes mean it was offline. */
const DELIVERY_BUCKETS_S = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];
/** Acknowledging is a person reading the warning: seconds to hours. */
const ACK_BUCKETS_S = [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400];

/** What the command desks report; kept narrow so they need not know prom-client. */
export interface AlertMetrics {
  /** A township's terminal confirmed the banner for the first time, `seconds` after the warning was issued. */
  alertDelivered(seconds: number): void;
  /** A township acknowledged (first time) through `channel`, `seconds` after the warning was issued. */
  alertAcked(channel: AckChannel, seconds: number): void;
}

export class BeaconMetrics implements AlertMetrics {
  readonly registry = new Registry();
  /** The SIP gateway's call outcomes and mixer clock, from its status reports. */
  readonly gateway: GatewayMetrics;
  readonly #joins: Counter;
  readonly #joinFailures: Counter<'code'>;
  readonly #signInFailures: Counter<'reason'>;
  readonly #delivered: Histogram;
  readonly #acked: Histogram;
  readonly #acks: Counter<'channel'>;
  readonly #rateLimited: Counter<'class'>;
  readonly #floodClosed: Counter<'queue'>;
  readonly #clusterRejected: Counter<'reason'>;

  constructor(deps: { media: MediaControl; rooms: RoomRegistry }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#gauges(deps);
    this.#joins = new Counter({
      name: 'beacon_room_joins_total',
      help: 'Conference room joins that succeeded (room:join acked ok)',
      registers,
    });
    this.#joinFailures = new Counter({
      name: 'beacon_room_join_failures_total',
      help: 'Conference room joins refused, by error code (room_locked, room_not_found, media_unavailable, …)',
      labelNames: ['code'],
      registers,
    });
    this.#signInFailures = new Counter({
      name: 'beacon_sign_in_failures_total',
      help: 'Refused sign-ins (POST /api/v1/auth/login), by reason',
      labelNames: ['reason'],
      registers,
    });
    this.#delivered = new Histogram({
      name: 'beacon_alert_delivery_seconds',
      help: "From a warning's issue to the first terminal of a township showing it",
      buckets: DELIVERY_BUCKETS_S,
      registers,
    });
    this.#acked = new Histogram({
      name: 'beacon_alert_ack_seconds',
      help: "From a warning's issue to a township's acknowledgement (签收), any channel",
      buckets: ACK_BUCKETS_S,
      registers,
    });
    this.#acks = new Counter({
      name: 'beacon_alert_acks_total',
      help: 'Alert acknowledgements (签收), by channel (terminal, phone, console)',
      labelNames: ['channel'],
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'beacon_socket_rate_limited_total',
      help: 'Client events refused rate_limited, by event class (media, control, command, chat, chat_history)',
      labelNames: ['class'],
      registers,
    });
    this.#floodClosed = new Counter({
      name: 'beacon_socket_flood_disconnects_total',
      help: 'Sockets closed for flooding, by queue (in: events waiting to run, out: emits waiting to be read)',
      labelNames: ['queue'],
      registers,
    });
    this.#clusterRejected = new Counter({
      name: 'beacon_cluster_messages_rejected_total',
      help: 'Node-to-node messages dropped unopened, by reason (bad_signature, stale, malformed, replayed)',
      labelNames: ['reason'],
      registers,
    });
    // Zero series from the start: rate() and absent() alerts work before the first failure.
    for (const reason of SIGN_IN_FAILURE_REASONS) this.#signInFailures.inc({ reason }, 0);
    for (const channel of ACK_CHANNELS) this.#acks.inc({ channel }, 0);
    this.gateway = new GatewayMetrics(this.registry);
  }

  joinSucceeded(): void {
    this.#joins.inc();
  }

  joinFailed(code: ErrorCode): void {
    this.#joinFailures.inc({ code });
  }

  /** A client event refused `rate_limited`; `eventClass` is a bucket's class or `chat_history`. */
  socketRateLimited(eventClass: string): void {
    this.#rateLimited.inc({ class: eventClass });
  }

  /** A socket closed because one of its queues overflowed. */
  socketFloodClosed(queue: 'in' | 'out'): void {
    this.#floodClosed.inc({ queue });
  }

  /** A node-to-node message was dropped: forged, altered, too old, malformed or replayed. */
  clusterMessageRejected(reason: string): void {
    this.#clusterRejected.inc({ reason });
  }

  signInFailed(reason: SignInFailureReason): void {
    this.#signInFailures.inc({ reason });
  }

  alertDelivered(seconds: number): void {
    this.#delivered.observe(Math.max(0, seconds));
  }

  alertAcked(channel: AckChannel, seconds: number): void {
    this.#acks.inc({ channel });
    this.#acked.observe(Math.max(0, seconds));
  }

  #gauges(deps: { media: MediaControl; rooms: RoomRegistry }): void {
    const registry = this.registry;
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    gauge('beacon_rooms', 'Conference rooms with at least one participant', () => deps.rooms.counts().rooms);
    gauge('beacon_participants', 'Participants in conference rooms', () => deps.rooms.counts().participants);
    gauge('beacon_phone_participants', 'Desk phones in conference rooms (SIP gateway legs)', () => {
      let phones = 0;
      for (const room of deps.rooms.rooms()) {
        for (const p of room.participants()) if (p.device === 'phone') phones += 1;
      }
      return phones;
    });
    gauge('beacon_transports', 'WebRTC and plain transports', () => deps.media.counts().transports);
    gauge('beacon_producers', 'Media producers', () => deps.media.counts().producers);
    gauge('beacon_consumers', 'Media consumers', () => deps.media.counts().consumers);
    gauge('beacon_media_workers_alive', 'mediasoup workers alive', () => deps.media.counts().workersAlive);
  }
}
