/**
 * One handler per control method: the MediaServer call (or PipeHub call) a
 * request stands for. Parameters arrive validated (controlProtocol.ts).
 */
import type { PipeHub } from '../cascade/PipeHub.ts';
import type { MediaServer } from '../MediaServer.ts';
import type { ControlMethod, ControlResults, ParsedControlParams } from './controlProtocol.ts';

export type ControlHandlers = {
  [M in ControlMethod]: (params: ParsedControlParams<M>) => ControlResults[M] | Promise<ControlResults[M]>;
};

/** `null` for methods that return nothing, so every ack carries `data`. */
const done = async (work: Promise<void> | void): Promise<null> => {
  await work;
  return null;
};

export function createControlHandlers(media: MediaServer, pipes: PipeHub): ControlHandlers {
  return {
    counts: () => media.counts(),
    ensureRoom: ({ roomId }) => media.ensureRoom(roomId),
    closeRoom: ({ roomId }) => done(media.closeRoom(roomId)),
    createWebRtcTransport: ({ roomId, peerId, direction, options }) =>
      media.createWebRtcTransport(roomId, peerId, direction, options),
    connectTransport: ({ roomId, peerId, transportId, dtlsParameters }) =>
      done(media.connectTransport(roomId, peerId, transportId, dtlsParameters)),
    produce: ({ roomId, peerId, input }) => media.produce(roomId, peerId, input),
    pauseProducer: ({ roomId, peerId, producerId }) => done(media.pauseProducer(roomId, peerId, producerId)),
    resumeProducer: ({ roomId, peerId, producerId }) => done(media.resumeProducer(roomId, peerId, producerId)),
    closeProducer: ({ roomId, peerId, producerId }) => done(media.closeProducer(roomId, peerId, producerId)),
    listProducers: ({ roomId }) => media.listProducers(roomId),
    consume: ({ roomId, peerId, input }) => media.consume(roomId, peerId, input),
    resumeConsumer: ({ roomId, peerId, consumerId }) => done(media.resumeConsumer(roomId, peerId, consumerId)),
    pauseConsumer: ({ roomId, peerId, consumerId }) => done(media.pauseConsumer(roomId, peerId, consumerId)),
    setConsumerLayers: ({ roomId, peerId, consumerId, layers }) =>
      done(media.setConsumerLayers(roomId, peerId, consumerId, layers)),
    restartIce: ({ roomId, peerId, transportId }) => media.restartIce(roomId, peerId, transportId),
    startRecording: ({ roomId, opts }) => media.startRecording(roomId, opts),
    stopRecording: ({ roomId }) => media.stopRecording(roomId),
    setRecordingFocus: ({ roomId, peerId }) => done(media.setRecordingFocus(roomId, peerId)),
    closePeer: ({ roomId, peerId }) => done(media.closePeer(roomId, peerId)),
    createPlainProducer: ({ roomId, peerId, input }) => media.createPlainProducer(roomId, peerId, input),
    createPlainConsumer: ({ roomId, peerId, producerId, input }) =>
      media.createPlainConsumer(roomId, peerId, producerId, input),
    openPipe: ({ roomId, remoteNodeId, enableSrtp, peerAddresses }) =>
      pipes.openPipe(roomId, remoteNodeId, { enableSrtp, peerAddresses }),
    connectPipe: ({ roomId, remoteNodeId, remote }) => done(pipes.connectPipe(roomId, remoteNodeId, remote)),
    pipeConsume: ({ roomId, remoteNodeId, producerId }) => pipes.pipeConsume(roomId, remoteNodeId, producerId),
    pipeProduce: ({ roomId, remoteNodeId, params }) => done(pipes.pipeProduce(roomId, remoteNodeId, params)),
    setPipedProducer: ({ roomId, remoteNodeId, producerId, action }) =>
      done(pipes.setPipedProducer(roomId, remoteNodeId, producerId, action)),
    unpipe: ({ roomId, remoteNodeId, producerId }) => done(pipes.unpipe(roomId, remoteNodeId, producerId)),
    closePipe: ({ roomId, remoteNodeId }) => done(pipes.closePipe(roomId, remoteNodeId)),
  };
}
