/**
 * Ports for cross-service tests, picked one way everywhere (the layout is
 * documented in @beacon/media-server/testing, which the media server's own
 * tests use too):
 *
 * - a port a test or its child process listens on at once (Beacon's HTTP
 *   port, Kamailio's SIP port, coturn, Redis, nginx): the kernel's pick,
 *   `freeTcpPort` / `freeUdpPort`;
 * - a block of ports a server is told to use (WebRtcServer base, the SIP
 *   gateway's RTP range, coturn's relay range): `freePortBlock(count)`.
 *
 * Never a fixed number, and never a random number in 32768+ (the kernel's
 * ephemeral range, where it collides with anyone's bind(0)).
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

export { freePortBlock, freeSipPort, TEST_PLAIN_PORTS, TEST_PORT_BLOCKS } from '@beacon/common/test-ports';

/** A TCP port nobody holds right now on `ip`, picked by the kernel. */
export function freeTcpPort(ip = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, ip, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** A UDP port nobody holds right now on `ip`, picked by the kernel. */
export function freeUdpPort(ip = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, ip, () => {
      const { port } = socket.address();
      socket.close(() => resolvePort(port));
    });
  });
}
