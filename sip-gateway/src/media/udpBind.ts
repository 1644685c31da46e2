/**
 * Binds a UDP socket for RTP somewhere in a port range. Several calls open
 * at once and other processes (mediasoup, Kamailio) hold ports too, so a
 * port in use is not an error: try the next. The search starts at a random
 * even port so concurrent opens rarely race for the same one.
 */

import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { CodedError } from '@beacon/common';

export interface PortRange {
  min: number;
  max: number;
}

export class PortRangeExhaustedError extends CodedError<'ports_exhausted'> {
  override readonly name = 'PortRangeExhaustedError';
  constructor(ip: string, range: PortRange) {
    super('ports_exhausted', `no free even UDP port on ${ip} in ${range.min}-${range.max}`);
  }
}

/** A bound socket; `range` null asks the kernel for any free port (tests, the tap). */
export async function bindUdp(ip: string, range: PortRange | null): Promise<dgram.Socket> {
  if (range === null) {
    const socket = await tryBind(ip, 0);
    if (socket === null) throw new PortRangeExhaustedError(ip, { min: 0, max: 0 });
    return socket;
  }
  const first = range.min % 2 === 0 ? range.min : range.min + 1;
  if (first > range.max || range.max > 65_535) throw new TypeError(`bad port range ${range.min}-${range.max}`);
  const count = Math.floor((range.max - first) / 2) + 1;
  const start = randomInt(0, count);
  for (let i = 0; i < count; i++) {
    const socket = await tryBind(ip, first + ((start + i) % count) * 2);
    if (socket !== null) return socket;
  }
  throw new PortRangeExhaustedError(ip, range);
}

/** A socket bound to exactly this port, or null when it is taken (RTCP next to an RTP port). */
export function bindUdpAt(ip: string, port: number): Promise<dgram.Socket | null> {
  if (port > 65_535) return Promise.resolve(null);
  return tryBind(ip, port);
}

function tryBind(ip: string, port: number): Promise<dgram.Socket | null> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const onError = (error: NodeJS.ErrnoException) => {
      socket.close();
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(null);
      else reject(error);
    };
    socket.once('error', onError);
    socket.bind(port, ip, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
