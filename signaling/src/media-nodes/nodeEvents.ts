/**
 * What CascadedMediaControl does with one node's events: consumer events
 * update pipe references and go on to signaling; pipe events are relayed to
 * the node at the other end of the pipe (the cross-process half of what
 * mediasoup's `pipeToRouter` wires locally).
 */
import type { MediaControlEvents } from '@beacon/media-server';
import type { CascadeRoom } from './CascadeRoom.ts';
import type { RemoteMediaControl } from './RemoteMediaControl.ts';

const FORWARDED = [
  'consumerclosed',
  'consumerpaused',
  'consumerresumed',
  'consumerlayers',
  'activespeaker',
  'roomsrecreated',
  'recordingfailed',
  'keyframerequest',
] as const satisfies readonly (keyof MediaControlEvents)[];

export interface NodeEventSink {
  forward<K extends keyof MediaControlEvents>(name: K, payload: MediaControlEvents[K][0]): void;
  room(roomId: string): CascadeRoom | undefined;
  /** The node's id (known from its first heartbeat, before any event). */
  nodeId(): string | undefined;
}

export function wireNodeEvents(client: RemoteMediaControl, sink: NodeEventSink): void {
  for (const name of FORWARDED) {
    client.on(name, (payload: MediaControlEvents[typeof name][0]) => {
      if (name === 'consumerclosed') {
        const { roomId, consumerId } = payload as MediaControlEvents['consumerclosed'][0];
        sink.room(roomId)?.consumerGone(consumerId);
      }
      sink.forward(name, payload);
    });
  }
  client.on('pipeconsumerclosed', ({ roomId, remoteNodeId, producerId }) => {
    const source = sink.nodeId();
    if (source) sink.room(roomId)?.pipeClosed(source, remoteNodeId, producerId);
  });
  client.on('pipeconsumerpaused', ({ roomId, remoteNodeId, producerId }) => {
    const source = sink.nodeId();
    if (source) sink.room(roomId)?.relay(source, remoteNodeId, producerId, 'pause');
  });
  client.on('pipeconsumerresumed', ({ roomId, remoteNodeId, producerId }) => {
    const source = sink.nodeId();
    if (source) sink.room(roomId)?.relay(source, remoteNodeId, producerId, 'resume');
  });
}
