/** Public types of ConferenceRoom: its events, options and producers. */
import type { MediaControl } from '@beacon/media-server';
import type { ConsumerParams, MediaSource, MeetingMode, MeetingRole, PeerInfo, RoomState } from '@beacon/protocol';

export type ConferenceRoomEvents = {
  peerjoined: [PeerInfo];
  /** Mute flags, meeting role or connection changed. */
  peerupdated: [PeerInfo];
  /** `at`: when it really left (for a lost connection: when the socket went away). */
  peerleft: [{ peerId: string; at: Date; meetingRole: MeetingRole }];
  /** A paused consumer was created for `peerId`; the client resumes it when its track is wired. */
  consumernew: [{ peerId: string; consumer: ConsumerParams }];
  /** The control state changed (sent whole as `room:state`). */
  statechanged: [RoomState];
  /** The chair's answer to a speak request, for the requester only. */
  speakresult: [{ peerId: string; granted: boolean }];
  /** A producer entered or left the room (the SIP gateway's room tap follows the audio ones). */
  produceradded: [RoomProducer];
  producerremoved: [RoomProducer];
  /** The last participant left; the registry closes the room. */
  empty: [];
};

export interface ConferenceRoomOptions {
  id: string;
  media: MediaControl;
  routerRtpCapabilities: unknown;
  /** Training rooms start in broadcast mode. */
  mode?: MeetingMode;
  /** How long a participant whose socket went away stays `reconnecting` (default 30 s). */
  reconnectGraceMs?: number;
  /** Timer source for polling (tests step it). */
  clock?: PollingClock;
}

export interface RoomProducer {
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  /**
   * The most each stream sends, kbit/s, lowest simulcast layer first (one entry for a single stream);
   * absent when the sender did not say (producerBitrates.ts). A video terminal's forwarded main view is held to it.
   */
  layerKbps?: readonly number[];
}

/** Timers for polling (轮巡), injectable so tests can step time. */
export interface PollingClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
