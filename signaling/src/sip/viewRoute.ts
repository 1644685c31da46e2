/**
 * How a SIP video terminal's main view reaches it, held to the bandwidth the
 * terminal's SDP gave (b=TIAS, else b=AS). A terminal decodes H.264 only, and
 * forwarding costs nothing while transcoding costs an ffmpeg, so:
 *
 *  1. VP8 (a browser's camera or screen) is transcoded — at the terminal's bandwidth.
 *  2. H.264 to a terminal that gave no bandwidth is forwarded as is, every layer.
 *  3. H.264 with declared layer bit rates is forwarded at the highest spatial
 *     layer whose bit rate fits the bandwidth (the consumer's preferred layer,
 *     so mediasoup never sends a larger one; null for a single stream).
 *  4. H.264 where no layer fits, or whose bit rates nobody declared (a camera),
 *     is transcoded at the bandwidth: forwarding could not be held to it.
 */

export type ViewRoute = { kind: 'forward'; spatialLayer: number | null } | { kind: 'transcode' };

export interface ViewSource {
  codec: 'H264' | 'VP8';
  /** kbit/s per spatial layer, lowest first (RoomProducer.layerKbps); undefined when unknown. */
  layerKbps: readonly number[] | undefined;
}

export function chooseViewRoute(source: ViewSource, terminalKbps: number | null): ViewRoute {
  if (source.codec !== 'H264') return { kind: 'transcode' };
  const layers = source.layerKbps;
  const simulcast = (layers?.length ?? 1) > 1;
  if (terminalKbps === null) return { kind: 'forward', spatialLayer: null };
  if (layers === undefined || layers.length === 0) return { kind: 'transcode' };
  for (let layer = layers.length - 1; layer >= 0; layer -= 1) {
    if ((layers[layer] ?? Number.POSITIVE_INFINITY) <= terminalKbps) {
      return { kind: 'forward', spatialLayer: simulcast ? layer : null };
    }
  }
  return { kind: 'transcode' };
}
