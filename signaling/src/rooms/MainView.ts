/**
 * What everyone's main view shows (the spotlight) and why: roll call (点名),
 * polling (轮巡), a granted speak request (申请发言) or a screen share.
 *
 * Priority: roll call and polling own the main view; a granted speaker or a
 * screen share takes it only when neither runs (a grant stops them: the chair
 * chose). Roll call stops polling and polling clears a roll call. Every
 * change ends in the room's `stateChanged()` (one `room:state` snapshot).
 */

import type { RoomState } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { ConferenceRoom } from './ConferenceRoom.ts';
import type { Participant } from './Participant.ts';
import { Polling, type PollingClock } from './Polling.ts';
import { SpeakQueue } from './SpeakQueue.ts';

type SpotlightReason = NonNullable<RoomState['spotlightReason']>;

export class MainView {
  readonly #room: ConferenceRoom;
  readonly #clock: PollingClock | undefined;
  readonly #speak = new SpeakQueue();
  #spotlight: { peerId: string; reason: SpotlightReason } | null = null;
  #polling: Polling | null = null;

  constructor(room: ConferenceRoom, clock?: PollingClock) {
    this.#room = room;
    this.#clock = clock;
  }

  get spotlightPeerId(): string | null {
    return this.#spotlight?.peerId ?? null;
  }

  state(): Pick<RoomState, 'spotlightPeerId' | 'spotlightReason' | 'polling' | 'speakQueue'> {
    return {
      spotlightPeerId: this.#spotlight?.peerId ?? null,
      spotlightReason: this.#spotlight?.reason ?? null,
      polling: this.#polling?.view() ?? null,
      speakQueue: this.#speak.list(),
    };
  }

  /** Spotlights the peer and opens its mic; null ends the roll call. */
  async rollcall(peerId: string | null): Promise<void> {
    if (peerId === null) {
      if (this.#spotlight?.reason === 'rollcall') this.#spotlight = null;
      this.#room.stateChanged();
      return;
    }
    const target = this.#require(peerId);
    this.#stopPolling();
    this.#spotlight = { peerId, reason: 'rollcall' };
    await this.#room.control.openMic(target);
    this.#room.stateChanged();
  }

  startPolling(peerIds: readonly string[], intervalSeconds: number): void {
    for (const peerId of peerIds) this.#require(peerId);
    this.#stopPolling();
    if (this.#spotlight?.reason === 'rollcall') this.#spotlight = null;
    const polling = new Polling({
      peerIds,
      intervalSeconds,
      clock: this.#clock,
      onStep: (peerId) => {
        this.#spotlight = { peerId, reason: 'polling' };
        if (this.#polling === polling) this.#room.stateChanged();
      },
    });
    this.#polling = polling;
    polling.start();
    this.#room.stateChanged();
  }

  setPollingPaused(paused: boolean): void {
    if (!this.#polling) throw new BeaconError('invalid_state', 'no polling is running');
    if (paused) this.#polling.pause();
    else this.#polling.resume();
    this.#room.stateChanged();
  }

  /** Stops polling and clears its spotlight; quiet (no state event) when `silent`. */
  stopPolling(opts: { silent?: boolean } = {}): void {
    if (this.#stopPolling() && !opts.silent) this.#room.stateChanged();
  }

  requestSpeak(participant: Participant): void {
    if (this.#speak.request(participant.peerId, participant.claims.displayName)) this.#room.stateChanged();
  }

  cancelSpeak(participant: Participant): void {
    if (this.#speak.remove(participant.peerId)) this.#room.stateChanged();
  }

  /** Gives the floor: out of the queue, mic open, spotlight; an audience member becomes a participant. */
  async grantSpeak(peerId: string): Promise<void> {
    const target = this.#require(peerId);
    this.#speak.remove(peerId);
    if (target.meetingRole === 'audience') {
      target.meetingRole = 'participant';
      this.#room.peerUpdated(target);
    }
    this.#stopPolling();
    this.#spotlight = { peerId, reason: 'speak' };
    await this.#room.control.openMic(target);
    this.#room.speakResult(peerId, true);
    this.#room.stateChanged();
  }

  denySpeak(peerId: string): void {
    if (!this.#speak.remove(peerId)) throw BeaconError.notFound('speak request');
    this.#room.speakResult(peerId, false);
    this.#room.stateChanged();
  }

  onScreenStarted(participant: Participant): void {
    const reason = this.#spotlight?.reason;
    if (reason === 'rollcall' || reason === 'polling') return;
    this.#spotlight = { peerId: participant.peerId, reason: 'screen' };
    this.#room.stateChanged();
  }

  onScreenStopped(participant: Participant): void {
    const spot = this.#spotlight;
    if (spot?.reason !== 'screen' || spot.peerId !== participant.peerId) return;
    this.#spotlight = null;
    this.#room.stateChanged();
  }

  /** Forgets a peer that left; true when the state changed. */
  onPeerLeft(peerId: string): boolean {
    let changed = this.#speak.remove(peerId);
    if (this.#polling && !this.#polling.removePeer(peerId)) changed = this.#stopPolling() || changed;
    if (this.#spotlight?.peerId === peerId) {
      this.#spotlight = null;
      changed = true;
    }
    return changed;
  }

  #stopPolling(): boolean {
    if (!this.#polling) return false;
    this.#polling.stop();
    this.#polling = null;
    if (this.#spotlight?.reason === 'polling') this.#spotlight = null;
    return true;
  }

  #require(peerId: string): Participant {
    const target = this.#room.get(peerId);
    if (!target) throw new BeaconError('not_found', `participant "${peerId}" is not in this meeting`);
    return target;
  }
}
