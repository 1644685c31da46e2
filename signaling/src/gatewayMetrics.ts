/**
 * The SIP gateway's numbers on this node's /metrics. The gateway is a child
 * process without an HTTP server of its own; it sends its running totals
 * (calls by outcome, mixer clock ticks) with every status report over its
 * service socket, and this turns them into counters here: one scrape target
 * per node, behind the same access rule, and nothing more to configure.
 *
 * Totals restart at zero when the gateway restarts (a new `bootId`); the
 * counters here only ever add the difference to what the same boot reported
 * before, so they stay monotonic across gateway restarts.
 */
import {
  type GatewayCounters,
  SIP_CALL_DIRECTIONS,
  SIP_CALL_OUTCOMES,
  type SipCallDirection,
  type SipCallOutcome,
} from '@beacon/protocol';
import { Counter, type Registry } from 'prom-client';

type CallKey = `${SipCallDirection}:${SipCallOutcome}`;

interface BootTotals {
  calls: Map<CallKey, number>;
  ticks: number;
  late: number;
  foreign: number;
  lockouts: number;
}

/** Boots remembered: one gateway per node, a few so a late report from the previous process is not re-added. */
const BOOTS_KEPT = 4;

export class GatewayMetrics {
  readonly #calls: Counter<'direction' | 'outcome'>;
  readonly #ticks: Counter;
  readonly #lateTicks: Counter;
  readonly #foreignRtp: Counter;
  readonly #pinLockouts: Counter;
  readonly #boots = new Map<string, BootTotals>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.#calls = new Counter({
      name: 'beacon_sip_calls_total',
      help: 'Calls through the SIP gateway, by direction (in, out, alert) and outcome',
      labelNames: ['direction', 'outcome'],
      registers,
    });
    this.#ticks = new Counter({
      name: 'beacon_sip_mixer_ticks_total',
      help: "The SIP gateway's 20 ms mixer clock ticks",
      registers,
    });
    this.#lateTicks = new Counter({
      name: 'beacon_sip_mixer_late_ticks_total',
      help: 'Mixer ticks that ran more than a frame (20 ms) late: phones hear gaps',
      registers,
    });
    this.#foreignRtp = new Counter({
      name: 'beacon_sip_rtp_foreign_dropped_total',
      help: "RTP datagrams at the SIP gateway's ports from neither the call's phone nor mediasoup, dropped",
      registers,
    });
    this.#pinLockouts = new Counter({
      name: 'beacon_sip_pin_lockouts_total',
      help: 'Conference numbers or callers locked out of PIN entry after too many wrong PINs',
      registers,
    });
    for (const direction of SIP_CALL_DIRECTIONS) {
      for (const outcome of SIP_CALL_OUTCOMES) this.#calls.inc({ direction, outcome }, 0);
    }
  }

  /** Adds what changed since this gateway boot's previous report. */
  report(counters: GatewayCounters): void {
    let previous = this.#boots.get(counters.bootId);
    if (!previous) {
      previous = { calls: new Map(), ticks: 0, late: 0, foreign: 0, lockouts: 0 };
      this.#boots.set(counters.bootId, previous);
      for (const boot of this.#boots.keys()) {
        if (this.#boots.size <= BOOTS_KEPT) break;
        this.#boots.delete(boot);
      }
    }
    for (const { direction, outcome, count } of counters.calls) {
      const key: CallKey = `${direction}:${outcome}`;
      const added = count - (previous.calls.get(key) ?? 0);
      if (added > 0) {
        this.#calls.inc({ direction, outcome }, added);
        previous.calls.set(key, count);
      }
    }
    const ticks = counters.mixerTicks - previous.ticks;
    if (ticks > 0) {
      this.#ticks.inc(ticks);
      previous.ticks = counters.mixerTicks;
    }
    const late = counters.mixerLateTicks - previous.late;
    if (late > 0) {
      this.#lateTicks.inc(late);
      previous.late = counters.mixerLateTicks;
    }
    const foreign = (counters.rtpForeignDropped ?? 0) - previous.foreign;
    if (foreign > 0) {
      this.#foreignRtp.inc(foreign);
      previous.foreign += foreign;
    }
    const lockouts = (counters.pinLockouts ?? 0) - previous.lockouts;
    if (lockouts > 0) {
      this.#pinLockouts.inc(lockouts);
      previous.lockouts += lockouts;
    }
  }
}
