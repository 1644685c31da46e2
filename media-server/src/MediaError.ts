/**
 * Error raised by the media server for requests it cannot honour.
 *
 * Signaling switches on `code` and maps it to its own ack codes, so these
 * strings are part of the contract: add codes, never rename them.
 */
import { CodedError } from '@beacon/common';
export type MediaErrorCode =
  | 'room_not_found'
  | 'peer_not_found'
  | 'transport_not_found'
  | 'producer_not_found'
  | 'consumer_not_found'
  | 'cannot_consume'
  | 'invalid_state'
  /** A recording could not be finished (ffmpeg failed joining its segments). */
  | 'recording_failed'
  /** A recording id that is not a plain file name (a path, '..', a dot file): nothing was written. */
  | 'recording_id_invalid'
  /** Plain RTP asked to go to an address outside the server's allowed targets (plainTargets). */
  | 'target_not_allowed'
  /** A cascade pipe endpoint a media node reported is not an address that node is registered under. */
  | 'pipe_endpoint_not_registered';

export class MediaError extends CodedError<MediaErrorCode> {
  override readonly name = 'MediaError';

  static roomNotFound(roomId: string): MediaError {
    return new MediaError('room_not_found', `room "${roomId}" not found`);
  }

  static peerNotFound(peerId: string): MediaError {
    return new MediaError('peer_not_found', `peer "${peerId}" has no media in this room`);
  }

  static transportNotFound(transportId: string): MediaError {
    return new MediaError('transport_not_found', `transport "${transportId}" not found`);
  }

  static producerNotFound(producerId: string): MediaError {
    return new MediaError('producer_not_found', `producer "${producerId}" not found`);
  }

  static consumerNotFound(consumerId: string): MediaError {
    return new MediaError('consumer_not_found', `consumer "${consumerId}" not found`);
  }
}
