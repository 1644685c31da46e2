/** The platform's SIP transports: TCP on the UDP port's number, answers on the connection, TCP off. */
import net from 'node:net';
import { freeSipPort } from '@beacon/common/test-ports';
import { afterEach, describe, expect, it } from 'vitest';
import { SipEndpoint } from './SipEndpoint.ts';
import type { SipRequest } from './sipMessage.ts';

const OPTIONS =
  'OPTIONS sip:34020000002000000001@3402000000 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5;rport;branch=z9hG4bKt\r\n' +
  'From: <sip:34020000001320000001@3402000000>;tag=a\r\nTo: <sip:34020000002000000001@3402000000>\r\n' +
  'Call-ID: t@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';

describe('SipEndpoint', () => {
  const endpoints: SipEndpoint[] = [];
  const sockets: net.Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const endpoint of endpoints.splice(0)) endpoint.close();
  });

  async function connect(port: number): Promise<net.Socket> {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return socket;
  }

  it('takes SIP over TCP on the UDP port, answers on the connection and sends requests over it', async () => {
    const endpoint = new SipEndpoint({ host: '127.0.0.1', port: 0, timeoutMs: 2000 });
    endpoints.push(endpoint);
    const requests: { request: SipRequest; from: { transport?: string; ip: string; port: number } }[] = [];
    const { port } = await endpoint.start((request, from) => {
      requests.push({ request, from });
      endpoint.respond(request, from, 200, 'OK');
    });
    expect(endpoint.tcp).toBe(true);
    const device = await connect(port);
    let received = '';
    device.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    // Two requests in one segment: two answers on the same connection.
    device.write(OPTIONS + OPTIONS.replace('CSeq: 1', 'CSeq: 2'));
    await expect.poll(() => received.match(/SIP\/2\.0 200 OK/g)?.length ?? 0).toBe(2);
    expect(requests.map((r) => r.from.transport)).toEqual(['tcp', 'tcp']);
    expect(endpoint.tcpConnections).toBe(1);

    // Our request to that device goes over its connection, Via TCP, and its answer settles it.
    const from = requests[0]?.from as { ip: string; port: number; transport: 'tcp' };
    received = '';
    const answered = endpoint.request(from, { method: 'MESSAGE', uri: 'sip:x@y', headers: [['CSeq', '9 MESSAGE']] });
    await expect.poll(() => received).toContain('MESSAGE sip:x@y SIP/2.0');
    expect(received).toContain('Via: SIP/2.0/TCP ');
    const via = /Via: ([^\r]+)/.exec(received)?.[1];
    device.write(`SIP/2.0 200 OK\r\nVia: ${via}\r\nCSeq: 9 MESSAGE\r\nContent-Length: 0\r\n\r\n`);
    expect((await answered).status).toBe(200);

    // The connection gone, a request to it fails at once instead of waiting for a timeout.
    device.destroy();
    await expect.poll(() => endpoint.tcpConnections).toBe(0);
    await expect(endpoint.request(from, { method: 'MESSAGE', uri: 'sip:x@y', headers: [] })).rejects.toMatchObject({
      code: 'device_offline',
    });
  });

  it('closes a TCP connection that stays silent', async () => {
    const endpoint = new SipEndpoint({ host: '127.0.0.1', port: 0, tcpIdleMs: 300 });
    endpoints.push(endpoint);
    const { port } = await endpoint.start(() => undefined);
    const quiet = await connect(port);
    const closed = new Promise((resolve) => quiet.once('close', resolve));
    await expect.poll(() => endpoint.tcpConnections).toBe(1);
    await closed;
    await expect.poll(() => endpoint.tcpConnections).toBe(0);
  });

  it('listens on UDP only when TCP is off', async () => {
    // A port free on TCP as well: a refused connection then means we did not listen, not someone else did.
    const endpoint = new SipEndpoint({ host: '127.0.0.1', port: await freeSipPort(), tcp: false });
    endpoints.push(endpoint);
    const { port } = await endpoint.start(() => undefined);
    expect(endpoint.tcp).toBe(false);
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
