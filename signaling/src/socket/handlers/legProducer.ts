/**
 * A phone or SIP video terminal leg's plain-RTP producer, as phone:media
 * (its mic) and phone:video (its camera) make it: the previous one of that
 * source closed, the new one made on the room's media node taking RTP only
 * from the gateway socket the leg names, then adopted as the participant's
 * own (so mute, stop-video, roll call and the main view act on it, and ready
 * browsers get a consumer). Answers where the gateway sends.
 */
import type { PlainProducerInput, ProducerInfo } from '@beacon/media-server';
import type { ConferenceRoom } from '../../rooms/ConferenceRoom.ts';
import { clientInput } from '../../rooms/clientInput.ts';
import type { Participant } from '../../rooms/Participant.ts';
import type { HandlerContext } from '../types.ts';

export interface LegProducerAnswer {
  producerId: string;
  ip: string;
  port: number;
  rtcpPort: number;
}

export async function replaceLegProducer(
  ctx: HandlerContext,
  room: ConferenceRoom,
  participant: Participant,
  source: 'mic' | 'camera',
  input: Pick<PlainProducerInput, 'rtpParameters' | 'remote'> & { layerKbps?: readonly number[] },
): Promise<LegProducerAnswer> {
  room.control.assertMaySend(participant);
  const previous = participant.producerOf(source);
  if (previous) room.closeProducer(participant, previous.id);
  const kind = source === 'mic' ? 'audio' : 'video';
  const appData = { source, peerId: participant.peerId };
  const { layerKbps, ...plainInput } = input;
  const plain = await clientInput(
    ctx.media.createPlainProducer(room.id, participant.peerId, { kind, appData, ...plainInput }),
  );
  const producer: ProducerInfo = { id: plain.producerId, peerId: participant.peerId, kind, paused: false, appData };
  // A SIP video terminal shows as one (console icon and label, video tile) from its camera on; adopt sends the update.
  if (source === 'camera' && participant.phone) participant.phone.video = true;
  await room.adoptProducer(participant, producer, source, layerKbps);
  return { producerId: plain.producerId, ip: plain.ip, port: plain.port, rtcpPort: plain.rtcpPort };
}
