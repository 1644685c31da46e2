/**
 * The bit rates a producer's sender declared: a browser's simulcast encodings
 * carry `maxBitrate` (150 / 500 / 1200 kbit/s, MediaSession.ts), lowest layer
 * first as mediasoup orders spatial layers. Read once when the producer is
 * made, so a SIP video terminal's forwarded main view can be held to its own
 * bandwidth (sip/viewRoute.ts). Unknown (absent) when any encoding says
 * nothing: a layer of unknown size cannot be shown to fit.
 */
import { z } from 'zod';

const encodingsSchema = z.object({
  encodings: z
    .array(z.object({ maxBitrate: z.number().positive().max(1_000_000_000).optional() }))
    .min(1)
    .max(8),
});

/** kbit/s per encoding (spatial layer), or undefined when the parameters do not say it for every one. */
export function declaredLayerKbps(rtpParameters: unknown): number[] | undefined {
  const parsed = encodingsSchema.safeParse(rtpParameters);
  if (!parsed.success) return undefined;
  const kbps = parsed.data.encodings.map((e) => (e.maxBitrate === undefined ? null : Math.ceil(e.maxBitrate / 1000)));
  return kbps.every((k): k is number => k !== null) ? kbps : undefined;
}
