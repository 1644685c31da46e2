/**
 * The duty number (值班电话): a desk phone dials it (default 8000), the SIP
 * gateway asks `sip:resolve`, and the call gets a line — a room of its own
 * that it joins without a PIN. Once the phone is in, the consoles of the
 * officers on duty now show a card (answer / decline); answering joins the
 * line's room from the browser. Unanswered for the ring time (or declined by
 * every officer on duty) → the leader on duty's phone is dialled into the
 * room. Every step is written to the duty log (category `call`).
 *
 * States (DutyCallState, protocol duty.ts), with `connecting` before the
 * phone is in its room:
 *
 *   connecting ──phone joins──> ringing ──answer──> answered ──caller hangs up──> ended
 *        │                        │ └─ring time / all declined─> forwarded ─answer or leader's phone─┘
 *        └─no phone in time─> (dropped)        ringing|forwarded ──caller hangs up──> ended (missed)
 *
 * Lines are reused `duty-line-N` rooms (dutyLines.ts).
 *
 * One node's state (like the command room's timers): with several signaling
 * nodes the gateway's node owns the calls, and answering from a console on
 * another node is `not_found`.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@beacon/common';
import { BeaconError, type DutyCallView, type DutyPerson, type PeerInfo } from '@beacon/protocol';
import type { Actor } from '../command/CommandBus.ts';
import { requireStaff } from '../command/staff.ts';
import { createLogger } from '../logger.ts';
import type { ConferenceRoom } from '../rooms/ConferenceRoom.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { SipBridge, SipBridgeEvents } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';
import {
  type DutyCallRecord as Call,
  DEFAULT_DUTY_CALLS_OPTIONS,
  DUTY_NUMBER_ACTOR,
  type DutyCallsEvents,
  type DutyCallsOptions,
} from './DutyCallsTypes.ts';
import type { DutyDesk } from './DutyDesk.ts';
import { dialLeader, endedText, ringingView } from './dutyCallSteps.ts';
import { freeLine, isDutyLine } from './dutyLines.ts';

const logger = createLogger('DutyCalls');

/** A finished call is remembered this long, so the leader's phone answering late is hung up. */
const ENDED_KEPT_MS = 120_000;

export class DutyCalls extends TypedEmitter<DutyCallsEvents> {
  readonly number: string;
  readonly #store: Store;
  readonly #registry: RoomRegistry;
  readonly #sip: SipBridge;
  readonly #duty: DutyDesk;
  readonly #ringMs: number;
  readonly #connectMs: number;
  readonly #calls = new Map<string, Call>();
  #opening: Promise<unknown> = Promise.resolve();
  readonly #onRoom = (room: ConferenceRoom) => {
    if (!isDutyLine(room.id)) return;
    room.on('peerjoined', (peer) => this.#joined(room, peer));
    room.on('peerleft', ({ peerId }) => this.#left(room.id, peerId));
  };
  readonly #onDialState = ({ record, state, reason }: SipBridgeEvents['dialstate'][0]) => {
    const call = [...this.#calls.values()].find((c) => c.dialRequestId === record.requestId);
    if (!call?.view || !['busy', 'no_answer', 'failed'].includes(state)) return;
    const leader = call.view.forwardedTo?.displayName ?? '';
    this.#log(`带班领导 ${leader} 电话未接通（${state}${reason ? `：${reason}` : ''}）：${call.view.caller}`);
  };

  constructor(opts: {
    store: Store;
    registry: RoomRegistry;
    sip: SipBridge;
    duty: DutyDesk;
    options?: DutyCallsOptions;
  }) {
    super();
    const options = opts.options ?? DEFAULT_DUTY_CALLS_OPTIONS;
    this.number = options.number;
    this.#ringMs = options.ringMs;
    this.#connectMs = options.connectMs ?? 30_000;
    this.#store = opts.store;
    this.#registry = opts.registry;
    this.#sip = opts.sip;
    this.#duty = opts.duty;
    this.#registry.on('roomcreated', this.#onRoom);
    this.#sip.on('dialstate', this.#onDialState);
  }

  /** A phone dialled the duty number: a free line for it (`unavailable` when all are busy). */
  open(): Promise<{ roomId: string; title: string }> {
    // One at a time: two calls at once must not pick the same line.
    const opened = this.#opening.then(() => this.#open());
    this.#opening = opened.catch(() => undefined);
    return opened;
  }

  /** Calls that ring for this user now (their console's cards after a reload). */
  ringingFor(userId: string): DutyCallView[] {
    return [...this.#calls.values()]
      .filter((c) => c.view && (c.view.state === 'ringing' || c.view.state === 'forwarded'))
      .filter((c) => (c.targets === null || c.targets.includes(userId)) && !c.view?.declinedBy.includes(userId))
      .map((c) => c.view as DutyCallView);
  }

  /** An officer takes the call; returns the room to join. */
  answer(actor: Actor, callId: string): { roomId: string } {
    requireStaff(actor);
    const call = this.#ringing(callId);
    const view = call.view as DutyCallView;
    clearTimeout(call.timer);
    view.state = 'answered';
    view.answeredBy = { userId: actor.userId, displayName: actor.displayName };
    view.answeredAt = new Date().toISOString();
    logger.info({ callId, by: actor.username }, 'duty call answered');
    this.#write(actor, `${actor.displayName} 接听来电：${view.caller}`);
    this.#changed(call);
    return { roomId: call.roomId };
  }

  /** An officer declines: when every officer it rings for has, the leader is called at once. */
  decline(actor: Actor, callId: string): void {
    requireStaff(actor);
    const call = this.#ringing(callId);
    const view = call.view as DutyCallView;
    if (!view.declinedBy.includes(actor.userId)) view.declinedBy.push(actor.userId);
    this.#write(actor, `${actor.displayName} 拒接来电：${view.caller}`);
    const everyone = call.targets?.every((id) => view.declinedBy.includes(id));
    if (everyone && view.state === 'ringing') {
      clearTimeout(call.timer);
      void this.#forward(call, '值班员均已拒接');
      return;
    }
    this.#changed(call);
  }

  close(): void {
    this.#registry.off('roomcreated', this.#onRoom);
    this.#sip.off('dialstate', this.#onDialState);
    for (const call of this.#calls.values()) clearTimeout(call.timer);
    this.#calls.clear();
  }

  async #open(): Promise<{ roomId: string; title: string }> {
    // A finished call whose leader's phone may still ring keeps its line until it is forgotten.
    const busy = (roomId: string) =>
      [...this.#calls.values()].some(
        (c) => c.roomId === roomId && (c.view?.state !== 'ended' || c.dialRequestId !== null),
      );
    const line = await freeLine(this.#store, this.#registry, busy);
    if (!line) throw new BeaconError('sip_unavailable', '值班电话线路全忙 / every duty line is busy');
    const call: Call = {
      view: null,
      callId: `dc-${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      roomId: line.roomId,
      targets: null,
      callerPeerId: null,
      leaderExtension: null,
      dialRequestId: null,
      timer: undefined,
    };
    this.#forgetEndedOn(line.roomId);
    call.timer = setTimeout(() => {
      if (call.view !== null) return;
      logger.warn({ callId: call.callId, roomId: line.roomId }, 'the duty call never reached its line; given back');
      this.#calls.delete(call.callId);
    }, this.#connectMs);
    this.#calls.set(call.callId, call);
    logger.info({ callId: call.callId, roomId: line.roomId }, 'duty number dialled');
    return line;
  }

  #joined(room: ConferenceRoom, peer: PeerInfo): void {
    if (peer.device !== 'phone') return;
    const call = [...this.#calls.values()].find((c) => c.roomId === room.id && c.callerPeerId !== peer.peerId);
    if (!call) return;
    if (!call.view) {
      call.callerPeerId = peer.peerId;
      void this.#ring(call, peer);
      return;
    }
    const fromLeader = call.leaderExtension !== null && peer.phone?.extension === call.leaderExtension;
    if (!fromLeader) return;
    if (call.view.state === 'ended') {
      // The leader picked up after the caller had gone.
      const socketId = room.get(peer.peerId)?.socketId;
      if (socketId) this.safeEmit('hangup', { roomId: room.id, peerId: peer.peerId, socketId });
      return;
    }
    if (call.view.state !== 'forwarded') return;
    const leader = call.view.forwardedTo;
    clearTimeout(call.timer);
    call.view.state = 'answered';
    call.view.answeredBy = leader ? { userId: leader.userId, displayName: leader.displayName } : null;
    call.view.answeredAt = new Date().toISOString();
    logger.info({ callId: call.callId }, 'duty call answered by the leader on duty');
    this.#log(`带班领导 ${leader?.displayName ?? ''} 接听来电：${call.view.caller}`);
    this.#changed(call);
  }

  async #ring(call: Call, peer: PeerInfo): Promise<void> {
    clearTimeout(call.timer);
    call.view = ringingView({ callId: call.callId, roomId: call.roomId, peer, ringMs: this.#ringMs });
    call.timer = setTimeout(
      () => void this.#forward(call, `${Math.round(this.#ringMs / 1000)} 秒无人接听`),
      this.#ringMs,
    );
    try {
      const officers = (await this.#duty.roster.now()).now?.entry?.officers ?? [];
      call.targets = officers.length > 0 ? officers.map((o) => o.userId) : null;
    } catch (err) {
      logger.warn({ err }, 'who is on duty could not be read: the call rings for every staff console');
    }
    logger.info(
      { callId: call.callId, caller: peer.displayName, officers: call.targets?.length ?? 'all staff' },
      'duty call ringing',
    );
    const who = call.targets === null ? '（排班表无值班员，通知全部值班席位）' : '';
    this.#log(`来电：${peer.displayName}${who}`);
    if (call.view.state === 'ringing') this.#changed(call);
  }

  async #forward(call: Call, why: string): Promise<void> {
    const view = call.view;
    if (view?.state !== 'ringing') return;
    view.state = 'forwarded';
    let leader: DutyPerson | null = null;
    try {
      leader = (await this.#duty.roster.now()).now?.entry?.leader ?? null;
    } catch (err) {
      logger.warn({ err }, 'the leader on duty could not be read');
    }
    if (view.state !== 'forwarded') return;
    view.forwardedTo = leader && { userId: leader.userId, displayName: leader.displayName, phone: leader.phone };
    const dialled = dialLeader(this.#sip, { callId: call.callId, roomId: call.roomId, leader });
    call.leaderExtension = dialled.extension;
    call.dialRequestId = dialled.requestId;
    this.#log(`${why}，${dialled.outcome}：${view.caller}`);
    logger.info({ callId: call.callId, leader: leader?.userId ?? null, why }, 'duty call forwarded');
    this.#changed(call);
  }

  #left(roomId: string, peerId: string): void {
    const call = [...this.#calls.values()].find((c) => c.roomId === roomId && c.callerPeerId === peerId);
    const view = call?.view;
    if (!call || !view || view.state === 'ended') return;
    clearTimeout(call.timer);
    const before = view.state;
    const now = Date.now();
    view.state = 'ended';
    view.endedAt = new Date(now).toISOString();
    this.#log(endedText(view, before, now));
    logger.info({ callId: call.callId, before }, 'duty call ended');
    this.#changed(call);
    // Nobody is left to talk to: hang up the other phones (the leader's) in the line's room.
    const room = this.#registry.get(roomId);
    for (const p of room?.participants() ?? []) {
      if (p.claims.device === 'phone' && p.peerId !== peerId) {
        this.safeEmit('hangup', { roomId, peerId: p.peerId, socketId: p.socketId });
      }
    }
    call.timer = setTimeout(() => this.#calls.delete(call.callId), ENDED_KEPT_MS);
  }

  #forgetEndedOn(roomId: string): void {
    for (const [id, c] of this.#calls) {
      if (c.roomId === roomId && c.view?.state === 'ended') {
        clearTimeout(c.timer);
        this.#calls.delete(id);
      }
    }
  }

  #ringing(callId: string): Call {
    const call = this.#calls.get(callId);
    if (!call?.view) throw BeaconError.notFound('duty call');
    const { state, answeredBy } = call.view;
    if (state === 'answered') {
      throw new BeaconError('invalid_state', `已由 ${answeredBy?.displayName ?? '他人'} 接听 / already answered`);
    }
    if (state === 'ended') throw new BeaconError('invalid_state', '来电已挂断 / the caller hung up');
    return call;
  }

  #changed(call: Call): void {
    if (!call.view) return;
    const userIds = call.targets === null ? null : [...call.targets];
    const answerer = call.view.answeredBy?.userId;
    if (userIds && answerer && !userIds.includes(answerer)) userIds.push(answerer);
    this.safeEmit('call', { call: { ...call.view, declinedBy: [...call.view.declinedBy] }, userIds });
  }

  #log(text: string): void {
    this.#write(DUTY_NUMBER_ACTOR, text);
  }

  #write(actor: Actor, text: string): void {
    this.#duty
      .writeLog(actor, { category: 'call', text })
      .catch((err: unknown) => logger.error({ err }, 'duty call not written to the duty log'));
  }
}
