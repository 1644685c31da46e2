/**
 * Plain RTP in and out of a room, for the recorder, the SIP gateway, tests and
 * the bench. Browsers never use these; signaling reaches them through
 * `MediaControl` for the SIP gateway's phone legs and room taps.
 *
 * Producers (incoming RTP) use comedia WITHOUT rtcpMux: ffmpeg and most RTP
 * senders send RTCP from a second source port, and often send a sender report
 * before the first RTP packet; with one muxed port comedia would lock onto the
 * RTCP source and drop every RTP packet. Send RTP to `port` and RTCP to
 * `rtcpPort` (ffmpeg: `rtp://IP:PORT?rtcpport=RTCPPORT`).
 *
 * Consumers (outgoing RTP) use rtcpMux: one port of the plain range per
 * stream, and the receiver reads RTP and our sender reports on one socket.
 */
import type { types as ms } from 'mediasoup';
import type {
  PlainConsumerInput,
  PlainConsumerResult,
  PlainProducerInput,
  PlainProducerResult,
} from './MediaControlTypes.ts';
import { MediaError } from './MediaError.ts';
import type { MediaServerOptions } from './MediaServerOptions.ts';
import type { Room } from './Room.ts';

export type PlainRtpDefaults = Pick<MediaServerOptions, 'listenIp' | 'announcedAddress' | 'plainPortRange'>;

function listenInfo(defaults: PlainRtpDefaults, listenIp: string | undefined): ms.TransportListenInfo {
  const ip = listenIp ?? defaults.listenIp;
  // Announce only for wildcard binds; a specific bind address is already reachable as is.
  const announcedAddress = ip === '0.0.0.0' || ip === '::' ? defaults.announcedAddress : undefined;
  return { protocol: 'udp', ip, announcedAddress, portRange: defaults.plainPortRange };
}

export async function createPlainProducer(
  room: Room,
  peerId: string,
  input: PlainProducerInput,
  defaults: PlainRtpDefaults,
): Promise<PlainProducerResult> {
  const listen = listenInfo(defaults, input.listenIp);
  // A sender that names its address (the SIP gateway) gets a transport connected to it: mediasoup then
  // drops RTP from any other source. Otherwise comedia: the sender's address is learnt from its first
  // packet, so ffmpeg needs no port of its own (only trusted local senders use that).
  const transport = input.remote
    ? await room.createPlainTransport(peerId, 'send', { listenInfo: listen, rtcpMux: true, comedia: false })
    : await room.createPlainTransport(peerId, 'send', {
        listenInfo: listen,
        rtcpListenInfo: listen,
        rtcpMux: false,
        comedia: true,
      });
  try {
    if (input.remote) await transport.connect({ ip: input.remote.ip, port: input.remote.port });
    const producer = await room.produce(peerId, {
      transportId: transport.id,
      kind: input.kind,
      rtpParameters: input.rtpParameters,
      appData: input.appData ?? {},
      keyFrameRequests: input.keyFrameRequests ?? false,
    });
    return {
      transportId: transport.id,
      producerId: producer.id,
      ip: transport.tuple.localAddress,
      port: transport.tuple.localPort,
      rtcpPort: transport.rtcpTuple?.localPort ?? transport.tuple.localPort,
    };
  } catch (error) {
    transport.close();
    throw error;
  }
}

export async function createPlainConsumer(
  room: Room,
  peerId: string,
  producerId: string,
  input: PlainConsumerInput,
  defaults: PlainRtpDefaults,
): Promise<PlainConsumerResult> {
  const transport = await room.createPlainTransport(peerId, 'recv', {
    listenInfo: listenInfo(defaults, input.listenIp),
    rtcpMux: true,
    comedia: false,
  });
  try {
    await transport.connect({ ip: input.remoteIp, port: input.remotePort });
    const consumer = await room.consume(peerId, {
      transportId: transport.id,
      producerId,
      rtpCapabilities: plainReceiverCapabilities(room.rtpCapabilities),
    });
    if (!consumer) throw new MediaError('cannot_consume', `producer "${producerId}" cannot be consumed over plain RTP`);
    if (!input.paused) await room.resumeConsumer(peerId, consumer.id);
    return {
      transportId: transport.id,
      consumerId: consumer.id,
      localPort: transport.tuple.localPort,
      rtpParameters: consumer.rtpParameters,
    };
  } catch (error) {
    transport.close();
    throw error;
  }
}

/**
 * The router's codecs without bandwidth estimation. A plain receiver never
 * sends transport-cc or REMB feedback, and advertising them makes mediasoup
 * send probation packets (payload type 127) to it.
 */
function plainReceiverCapabilities(router: ms.RtpCapabilities): ms.RtpCapabilities {
  const bweFeedback = new Set(['transport-cc', 'goog-remb']);
  return {
    codecs: router.codecs?.map((codec) => ({
      ...codec,
      rtcpFeedback: codec.rtcpFeedback?.filter((feedback) => !bweFeedback.has(feedback.type)),
    })),
    headerExtensions: router.headerExtensions?.filter(
      (extension) => !extension.uri.includes('transport-wide-cc') && !extension.uri.includes('abs-send-time'),
    ),
  };
}
