/**
 * The far side of the mixer bench: synthetic phones and browser streams
 * in a worker thread, so their cost does not count against the gateway's
 * event loop that the bench measures. Plain JavaScript (evaluated, not
 * imported) keeps the worker free of the TypeScript loader.
 *
 * workerData: { phones: { port, payloadType, payloads }[], streams: { port, ssrc, payloadType, payloads }[],
 *   payloads: Buffer[][] } where `payloads` in phones and streams indexes the payload sets.
 * Each phone sends one payload set in a loop, 20 ms apart, from its own socket
 * and counts what it receives. Messages: → { ready, ports }, ← 'start', ← 'stop', → { stopped, sent, received }.
 */
export const BENCH_PHONES_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { performance } = require('node:perf_hooks');

const { phones, streams, payloads } = workerData;
let sent = 0;
let received = 0;
const sockets = [];
const senders = [];

function sender(payloadSet, ssrc, payloadType, samples, socket, port) {
  return { payloads: payloads[payloadSet].map((p) => Buffer.from(p)), ssrc, payloadType, samples, socket, port, seq: 0, ts: 0, n: 0 };
}

function send(s) {
  const payload = s.payloads[s.n % s.payloads.length];
  const packet = Buffer.allocUnsafe(12 + payload.length);
  packet[0] = 0x80;
  packet[1] = (s.n === 0 ? 0x80 : 0) | s.payloadType;
  packet.writeUInt16BE(s.seq, 2);
  packet.writeUInt32BE(s.ts >>> 0, 4);
  packet.writeUInt32BE(s.ssrc, 8);
  payload.copy(packet, 12);
  s.socket.send(packet, s.port, '127.0.0.1');
  s.seq = (s.seq + 1) & 0xffff;
  s.ts = (s.ts + s.samples) >>> 0;
  s.n++;
  sent++;
}

async function bind() {
  const socket = dgram.createSocket('udp4');
  socket.on('message', () => { received++; });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  sockets.push(socket);
  return socket;
}

let timer = null;
async function main() {
  const ports = [];
  for (let i = 0; i < phones.length; i++) {
    const socket = await bind();
    ports.push(socket.address().port);
    senders.push(sender(phones[i].payloads, 0x10000 + i, phones[i].payloadType, 160, socket, phones[i].port));
  }
  const streamSocket = await bind();
  for (let i = 0; i < streams.length; i++) {
    const st = streams[i];
    senders.push(sender(st.payloads, st.ssrc, st.payloadType, 960, streamSocket, st.port));
  }
  parentPort.postMessage({ type: 'ready', ports });
}

function start() {
  let due = performance.now();
  const loop = () => {
    const now = performance.now();
    // Catch up after a late timer, like a phone's own clock would.
    while (due <= now) {
      for (const s of senders) send(s);
      due += 20;
    }
    timer = setTimeout(loop, Math.max(0, due - performance.now()));
  };
  loop();
}

parentPort.on('message', (msg) => {
  if (msg === 'start') {
    start();
  } else if (msg === 'stop') {
    clearTimeout(timer);
    for (const socket of sockets) socket.close();
    parentPort.postMessage({ type: 'stopped', sent, received });
  }
});

main();
`;
