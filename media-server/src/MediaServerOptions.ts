import os from 'node:os';
import { z } from 'zod';
import type { Logger } from './logger.ts';
import { parseAddressOrNetwork } from './plainTargets.ts';

const port = z.number().int().min(1).max(65_535);

/**
 * Options of a media node. Every field has a default, so `{}` is a valid
 * input for the embedded single-machine setup.
 */
export const mediaServerOptionsSchema = z
  .strictObject({
    /** mediasoup workers (one process and one core each). Default: os.availableParallelism(). */
    numWorkers: z
      .number()
      .int()
      .min(1)
      .max(128)
      .default(() => os.availableParallelism()),
    /** Local address the WebRtcServers and PlainTransports bind to. Default '0.0.0.0'. */
    listenIp: z.union([z.ipv4(), z.ipv6()]).default('0.0.0.0'),
    /**
     * Address put in ICE candidates and plain transport tuples, i.e. the one
     * browsers and phones can reach. Default: the first non-internal IPv4 of
     * this machine, or 127.0.0.1 (with a warning) when there is none.
     */
    announcedAddress: z.string().min(1).optional(),
    /**
     * Worker i owns ONE WebRtcServer on port rtcPortBase + i, UDP and TCP.
     * One port per worker instead of a port range keeps firewall rules to a
     * handful of lines in township networks. Default 40000.
     */
    rtcPortBase: port.default(40_000),
    /** Ports for PlainTransports (recording, SIP gateway, tests, bench). Default 41000-41999. */
    plainPortRange: z
      .object({ min: port, max: port })
      .refine((range) => range.min <= range.max, { message: 'plainPortRange.min must be <= plainPortRange.max' })
      .default({ min: 41_000, max: 41_999 }),
    /** mediasoup worker log level. Default 'warn'. */
    workerLogLevel: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
    /** Replace a worker that died (same index, same port). Default true. */
    respawnDeadWorkers: z.boolean().default(true),
    /**
     * The one directory recordings are written under (created when the first one starts). Control calls name a
     * recording, never a path: whoever can talk to the node must not make it write elsewhere. Default
     * './recordings' (resolved against the working directory).
     */
    recordingsDir: z.string().min(1).default('./recordings'),
    /**
     * Where plain RTP may be sent: the addresses or CIDR networks of the SIP gateway's RTP sockets. A plain
     * consumer (a tap) or a plain producer's remote outside them is refused (`target_not_allowed`), so a
     * control call cannot turn the node into a sender of a meeting's audio to anywhere. Default loopback.
     */
    plainTargets: z
      .array(z.string().refine((entry) => parseAddressOrNetwork(entry) !== null, 'an IP address or a CIDR network'))
      .min(1)
      .default(['127.0.0.0/8', '::1/128']),
    /**
     * The destination ports plain RTP may go to: the SIP gateway's RTP port range (BEACON_SIP_RTP_PORT_MIN/MAX,
     * 42000-42999 by default). A port outside is refused (`target_not_allowed`) like an address outside
     * `plainTargets`. Default: unset, any port (a library user's own sinks); a media node process and
     * signaling's in-process server always set it.
     */
    plainTargetPorts: z
      .object({ min: port, max: port })
      .refine((range) => range.min <= range.max, { message: 'plainTargetPorts.min must be <= plainTargetPorts.max' })
      .optional(),
  })
  .superRefine((options, ctx) => {
    const lastRtcPort = options.rtcPortBase + options.numWorkers - 1;
    if (lastRtcPort > 65_535) {
      ctx.addIssue({
        code: 'custom',
        path: ['rtcPortBase'],
        message: `rtcPortBase + numWorkers - 1 = ${lastRtcPort} exceeds 65535`,
      });
    }
    const { min, max } = options.plainPortRange;
    if (options.rtcPortBase <= max && lastRtcPort >= min) {
      ctx.addIssue({
        code: 'custom',
        path: ['plainPortRange'],
        message: `WebRtcServer ports ${options.rtcPortBase}-${lastRtcPort} overlap plainPortRange ${min}-${max}`,
      });
    }
  });

export type MediaServerOptionsInput = z.input<typeof mediaServerOptionsSchema>;

/** Parsed options with the announced address resolved. */
export type MediaServerOptions = Omit<z.output<typeof mediaServerOptionsSchema>, 'announcedAddress'> & {
  announcedAddress: string;
};

/**
 * Validates options (throws a ZodError naming the bad field) and resolves the
 * announced address.
 */
export function parseMediaServerOptions(input: unknown, logger?: Logger): MediaServerOptions {
  const parsed = mediaServerOptionsSchema.parse(input ?? {});
  return { ...parsed, announcedAddress: parsed.announcedAddress ?? detectAnnouncedAddress(logger) };
}

function detectAnnouncedAddress(logger?: Logger): string {
  for (const addresses of Object.values(os.networkInterfaces())) {
    const found = addresses?.find((address) => address.family === 'IPv4' && !address.internal);
    if (found) return found.address;
  }
  // Loopback only works when browsers run on this very machine: say so loudly.
  logger?.warn('no non-internal IPv4 address found; announcing 127.0.0.1 (remote clients will not connect)');
  return '127.0.0.1';
}
