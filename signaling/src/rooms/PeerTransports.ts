/**
 * The WebRTC transports of a room's participants: one per direction per
 * peer (mediasoup-client recovers with an ICE restart, not a second one).
 */
import type { MediaControl, TransportDirection } from '@beacon/media-server';
import type { TransportParams } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { clientInput } from './clientInput.ts';
import type { Participant } from './Participant.ts';

export class PeerTransports {
  readonly #roomId: string;
  readonly #media: MediaControl;

  constructor(roomId: string, media: MediaControl) {
    this.#roomId = roomId;
    this.#media = media;
  }

  async create(participant: Participant, direction: TransportDirection): Promise<TransportParams> {
    if (participant.transports[direction]) {
      throw BeaconError.badRequest(`a ${direction} transport already exists for this peer`);
    }
    // The receiver's account names its link: a township limited last time starts at that budget (LinkMemory).
    const options = direction === 'recv' ? { linkKey: participant.claims.userId } : {};
    const info = await this.#media.createWebRtcTransport(this.#roomId, participant.peerId, direction, options);
    participant.transports[direction] = info.id;
    return {
      id: info.id,
      direction,
      iceParameters: info.iceParameters,
      iceCandidates: info.iceCandidates,
      dtlsParameters: info.dtlsParameters,
    };
  }

  async connect(participant: Participant, transportId: string, dtlsParameters: unknown): Promise<void> {
    this.#own(participant, transportId);
    // The schema checked the shape that matters; mediasoup validates the rest.
    await clientInput(
      this.#media.connectTransport(this.#roomId, participant.peerId, transportId, dtlsParameters as never),
    );
  }

  /** New ICE parameters after the network came back (the client calls restartIce with them). */
  async restartIce(participant: Participant, transportId: string): Promise<unknown> {
    this.#own(participant, transportId);
    return this.#media.restartIce(this.#roomId, participant.peerId, transportId);
  }

  #own(participant: Participant, transportId: string): void {
    if (participant.transports.send !== transportId && participant.transports.recv !== transportId) {
      throw new BeaconError('transport_not_found', `transport "${transportId}" not found`);
    }
  }
}
