/**
 * A GB/T 28181-2016 device (IP camera or NVR) simulator, written from the
 * standard's text for the tests and the bench, independent of the platform's
 * code: its own SIP text, digest answer, MANSCDP writing (GB2312), catalog
 * paging, and PS-over-RTP live video from an H.264 clip.
 *
 *   register()        REGISTER, answer the 401 challenge with MD5 digest
 *   keepalives        `Notify Keepalive` every `keepaliveMs` until pause/close
 *   catalog query     `Response Catalog` pages of `pageSize` channels
 *   DeviceControl     the PTZCmd hex of each command is kept in `ptzCommands`
 *   INVITE            200 OK with the offered y= SSRC, then after ACK the clip
 *                     as PS over RTP (UDP) at its frame rate, looped, until BYE
 *   IFameCmd          each DeviceControl asking for a key frame is kept in
 *                     `keyFrameRequests`, and the stream jumps to the clip's
 *                     first key frame at once, as a camera encodes an I-frame
 *
 * SIP goes over UDP or, with `transport: 'tcp'`, over one TCP connection the
 * device opens to the platform and keeps (RFC 3261 §18): every message framed
 * by its Content-Length, the platform's requests expected on that connection.
 */
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import iconv from 'iconv-lite';
import type { ClipFrame } from './h264Clip.ts';
import { muxPsFrame, psRtpPackets } from './psMux.ts';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const tag = () => randomBytes(4).toString('hex');
const branch = () => `z9hG4bK${randomBytes(6).toString('hex')}`;

export interface SimChannel {
  id: string;
  name: string;
  longitude?: number;
  latitude?: number;
  /** The catalog's Status (default ON): OFF is a channel the device reports offline. */
  status?: 'ON' | 'OFF';
}

export interface GbDeviceOptions {
  deviceId: string;
  password: string;
  realm: string;
  serverId: string;
  platform: { host: string; port: number };
  channels: SimChannel[];
  keepaliveMs?: number;
  pageSize?: number;
  /** The clip to send on INVITE; without one the device answers and sends nothing. */
  clip?: ClipFrame[];
  /** PSM stream type written on key frames (0x1B H.264; 0x24 to test the H.265 refusal). */
  streamType?: number;
  fps?: number;
  /** SIP over UDP (default) or over a TCP connection to the platform's port. */
  transport?: 'udp' | 'tcp';
}

interface Message {
  start: string;
  headers: Map<string, string>;
  body: Buffer;
}

function parse(data: Buffer): Message | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [start = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { start, headers, body: data.subarray(end + 4) };
}

export class GbDevice {
  readonly ptzCommands: string[] = [];
  /** Key frame requests (DeviceControl with IFameCmd Send): the channel asked and when. */
  readonly keyFrameRequests: { channelId: string; at: number }[] = [];
  /** Every request the platform sent us: its method, how it came, and the transport its Via names. */
  readonly requestsIn: { method: string; over: 'udp' | 'tcp'; via: string }[] = [];
  /** Received catalog queries and INVITEs, for assertions. */
  readonly seen: string[] = [];
  registered = false;
  streaming = false;
  packetsSent = 0;
  readonly #opts: GbDeviceOptions;
  readonly #socket = dgram.createSocket('udp4');
  readonly #media = dgram.createSocket('udp4');
  #cseq = 1;
  #callId = `${randomBytes(8).toString('hex')}@sim`;
  #keepalive: NodeJS.Timeout | null = null;
  #stream: NodeJS.Timeout | null = null;
  /** Set by IFameCmd: the next frame sent is the clip's first key frame. */
  #keyFrameDue = false;
  #pendingInvite: { ip: string; port: number; ssrc: number; tcp: boolean } | null = null;
  #tcp: net.Socket | null = null;
  /** The transport of the last live view: 'udp', or 'tcp' when the platform offered TCP passive. */
  mediaTransport: 'udp' | 'tcp' | null = null;
  #waiters = new Map<number, (m: Message) => void>();
  #sn = 1;
  #sip: net.Socket | null = null;
  #sipBuffer = Buffer.alloc(0);

  constructor(opts: GbDeviceOptions) {
    this.#opts = opts;
  }

  get #tcpMode(): boolean {
    return this.#opts.transport === 'tcp';
  }

  get address(): string {
    if (this.#sip) return `${this.#sip.localAddress}:${this.#sip.localPort}`;
    const a = this.#socket.address();
    return `${a.address}:${a.port}`;
  }

  async open(): Promise<void> {
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => this.#media.bind(0, '127.0.0.1', resolve));
    this.#socket.on('message', (data) => this.#receive(data, 'udp'));
    if (this.#tcpMode) await this.connect();
  }

  /** (Re)opens the TCP connection to the platform (TCP mode), as a device does after losing it. */
  async connect(): Promise<void> {
    this.#sip?.destroy();
    this.#sipBuffer = Buffer.alloc(0);
    const { host, port } = this.#opts.platform;
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.#tcpData(chunk));
    this.#sip = socket;
  }

  /** Whether the platform still holds our TCP connection open (TCP mode). */
  get connected(): boolean {
    return this.#sip !== null && !this.#sip.destroyed && !this.#sip.readableEnded;
  }

  /** Writes raw bytes on the TCP connection (tests of the platform's framing). */
  writeRaw(bytes: Buffer): void {
    this.#sip?.write(bytes);
  }

  /** RFC 3261 §18.3: a stream carries messages back to back, each as long as its Content-Length says. */
  #tcpData(chunk: Buffer): void {
    this.#sipBuffer = Buffer.concat([this.#sipBuffer, chunk]);
    for (;;) {
      const end = this.#sipBuffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.#sipBuffer.subarray(0, end).toString('latin1');
      const length = Number(/^(?:content-length|l)\s*:\s*(\d+)/im.exec(head)?.[1] ?? 0);
      if (this.#sipBuffer.length < end + 4 + length) return;
      const message = this.#sipBuffer.subarray(0, end + 4 + length);
      this.#sipBuffer = this.#sipBuffer.subarray(end + 4 + length);
      this.#receive(message, 'tcp');
    }
  }

  #send(bytes: Buffer): void {
    if (this.#tcpMode) this.#sip?.write(bytes);
    else this.#socket.send(bytes, this.#opts.platform.port, this.#opts.platform.host);
  }

  /** REGISTER with digest; resolves with the final status. */
  async register(expires = 3600, password = this.#opts.password): Promise<number> {
    const { deviceId, realm } = this.#opts;
    const uri = `sip:${this.#opts.serverId}@${realm}`;
    const first = await this.#request('REGISTER', uri, [['Expires', String(expires)]]);
    if (!first.start.includes(' 401 ')) return statusOf(first);
    const challenge = first.headers.get('www-authenticate') ?? '';
    const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
    const response = md5(`${md5(`${deviceId}:${realm}:${password}`)}:${nonce}:${md5(`REGISTER:${uri}`)}`);
    const auth = `Digest username="${deviceId}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
    const second = await this.#request('REGISTER', uri, [
      ['Expires', String(expires)],
      ['Authorization', auth],
    ]);
    const status = statusOf(second);
    this.registered = status === 200 && expires > 0;
    return status;
  }

  startKeepalives(): void {
    this.stopKeepalives();
    this.#keepalive = setInterval(() => void this.keepalive().catch(() => undefined), this.#opts.keepaliveMs ?? 1000);
  }

  stopKeepalives(): void {
    if (this.#keepalive) clearInterval(this.#keepalive);
    this.#keepalive = null;
  }

  /** One keepalive; resolves with the platform's status. */
  async keepalive(): Promise<number> {
    const xml = `<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n<SN>${this.#sn++}</SN>\r\n<DeviceID>${this.#opts.deviceId}</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n`;
    return statusOf(await this.message(gb2312(xml)));
  }

  /** Sends a MESSAGE with this body (any bytes: the tests send bad ones); resolves with the answer. */
  message(body: Buffer, contentType = 'Application/MANSCDP+xml'): Promise<Message> {
    return this.#request(
      'MESSAGE',
      `sip:${this.#opts.serverId}@${this.#opts.realm}`,
      [['Content-Type', contentType]],
      body,
    );
  }

  async close(): Promise<void> {
    this.stopKeepalives();
    this.#stopStream();
    this.#sip?.destroy();
    this.#socket.close();
    this.#media.close();
  }

  #request(method: string, uri: string, extra: [string, string][], body: Buffer = Buffer.alloc(0)): Promise<Message> {
    const cseq = this.#cseq++;
    const { deviceId, realm } = this.#opts;
    const head = [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/${this.#tcpMode ? 'TCP' : 'UDP'} ${this.address};rport;branch=${branch()}`,
      `From: <sip:${deviceId}@${realm}>;tag=${tag()}`,
      `To: <sip:${method === 'REGISTER' ? deviceId : this.#opts.serverId}@${realm}>`,
      `Call-ID: ${method === 'REGISTER' ? this.#callId : `${tag()}@sim`}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:${deviceId}@${this.address}${this.#tcpMode ? ';transport=tcp' : ''}>`,
      'Max-Forwards: 70',
      ...extra.map(([n, v]) => `${n}: ${v}`),
      `Content-Length: ${body.length}`,
    ];
    const bytes = Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(cseq);
        reject(new Error(`no answer to ${method}`));
      }, 5000);
      this.#waiters.set(cseq, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.#send(bytes);
    });
  }

  #respond(request: Message, status: string, extra: string[] = [], body = Buffer.alloc(0)): void {
    const h = request.headers;
    const to = h.get('to') ?? '';
    const head = [
      `SIP/2.0 ${status}`,
      `Via: ${h.get('via')}`,
      `From: ${h.get('from')}`,
      `To: ${to.includes('tag=') ? to : `${to};tag=${tag()}`}`,
      `Call-ID: ${h.get('call-id')}`,
      `CSeq: ${h.get('cseq')}`,
      ...extra,
      `Content-Length: ${body.length}`,
    ];
    this.#send(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
  }

  #receive(data: Buffer, over: 'udp' | 'tcp'): void {
    const message = parse(data);
    if (!message) return;
    if (!message.start.startsWith('SIP/2.0')) {
      const via = /^SIP\/2\.0\/(\w+)/i.exec(message.headers.get('via') ?? '')?.[1] ?? '';
      this.requestsIn.push({ method: message.start.split(' ')[0] ?? '', over, via: via.toLowerCase() });
    }
    if (message.start.startsWith('SIP/2.0')) {
      const cseq = Number.parseInt(message.headers.get('cseq') ?? '', 10);
      if (statusOf(message) >= 200) this.#waiters.get(cseq)?.(message);
      this.#waiters.delete(cseq);
      return;
    }
    const method = message.start.split(' ')[0];
    if (method === 'MESSAGE') this.#controlMessage(message);
    else if (method === 'INVITE') this.#invite(message);
    else if (method === 'ACK') this.#ack();
    else if (method === 'BYE') {
      this.seen.push('BYE');
      this.#respond(message, '200 OK');
      this.#stopStream();
    }
  }

  #controlMessage(message: Message): void {
    this.#respond(message, '200 OK');
    const xml = iconv.decode(message.body, 'gb18030');
    const cmd = /<CmdType>([^<]+)<\/CmdType>/.exec(xml)?.[1];
    const sn = /<SN>(\d+)<\/SN>/.exec(xml)?.[1] ?? '0';
    this.seen.push(cmd ?? '?');
    if (cmd === 'Catalog') void this.#sendCatalog(sn);
    if (cmd === 'DeviceControl') {
      const ptz = /<PTZCmd>([0-9A-Fa-f]+)<\/PTZCmd>/.exec(xml)?.[1];
      if (ptz) this.ptzCommands.push(ptz.toUpperCase());
      if (/<IFameCmd>Send<\/IFameCmd>/.test(xml)) {
        this.keyFrameRequests.push({ channelId: /<DeviceID>(\d+)<\/DeviceID>/.exec(xml)?.[1] ?? '', at: Date.now() });
        this.#keyFrameDue = true;
      }
    }
  }

  async #sendCatalog(sn: string): Promise<void> {
    const { channels, deviceId } = this.#opts;
    const pageSize = this.#opts.pageSize ?? 2;
    for (let at = 0; at < channels.length; at += pageSize) {
      const page = channels.slice(at, at + pageSize);
      const items = page
        .map(
          (c) =>
            `<Item>\r\n<DeviceID>${c.id}</DeviceID>\r\n<Name>${c.name}</Name>\r\n<Manufacturer>Sim</Manufacturer>\r\n<Model>GB-SIM</Model>\r\n<Owner>0</Owner>\r\n<CivilCode>532301</CivilCode>\r\n<Parental>0</Parental>\r\n<ParentID>${deviceId}</ParentID>\r\n<Status>${c.status ?? 'ON'}</Status>\r\n<Longitude>${c.longitude ?? 0}</Longitude>\r\n<Latitude>${c.latitude ?? 0}</Latitude>\r\n</Item>`,
        )
        .join('\r\n');
      const xml = `<?xml version="1.0" encoding="GB2312"?>\r\n<Response>\r\n<CmdType>Catalog</CmdType>\r\n<SN>${sn}</SN>\r\n<DeviceID>${deviceId}</DeviceID>\r\n<SumNum>${channels.length}</SumNum>\r\n<DeviceList Num="${page.length}">\r\n${items}\r\n</DeviceList>\r\n</Response>\r\n`;
      await this.message(gb2312(xml));
    }
  }

  #invite(message: Message): void {
    const sdp = message.body.toString('latin1');
    const ip = /c=IN IP4 (\S+)/.exec(sdp)?.[1] ?? '127.0.0.1';
    const port = Number(/m=video (\d+)/.exec(sdp)?.[1]);
    const y = /y=(\d+)/.exec(sdp)?.[1] ?? '0100000001';
    this.seen.push('INVITE');
    // TCP passive offered (RFC 4571/4145): we are the active end and connect to the platform's port.
    const tcp = /m=video \d+ TCP\/RTP\/AVP/.test(sdp) && /a=setup:passive/.test(sdp);
    this.#pendingInvite = { ip, port, ssrc: Number(y), tcp };
    const mediaPort = this.#media.address().port;
    const answer = [
      'v=0',
      `o=${this.#opts.deviceId} 0 0 IN IP4 127.0.0.1`,
      's=Play',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=video ${mediaPort} ${tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96`,
      'a=sendonly',
      ...(tcp ? ['a=setup:active', 'a=connection:new'] : []),
      'a=rtpmap:96 PS/90000',
      `y=${y}`,
      'f=',
      '',
    ].join('\r\n');
    this.#respond(
      message,
      '200 OK',
      [`Contact: <sip:${this.#opts.deviceId}@${this.address}>`, 'Content-Type: APPLICATION/SDP'],
      Buffer.from(answer, 'latin1'),
    );
  }

  #ack(): void {
    const target = this.#pendingInvite;
    const clip = this.#opts.clip;
    if (!target || !clip || clip.length === 0 || this.streaming) return;
    this.streaming = true;
    this.mediaTransport = target.tcp ? 'tcp' : 'udp';
    const tcp = target.tcp ? net.connect(target.port, target.ip) : null;
    tcp?.on('error', () => undefined);
    this.#tcp = tcp;
    const send = (packet: Buffer) => {
      if (!tcp) {
        this.#media.send(packet, target.port, target.ip);
        return;
      }
      const length = Buffer.alloc(2);
      length.writeUInt16BE(packet.length);
      tcp.write(Buffer.concat([length, packet]));
    };
    const fps = this.#opts.fps ?? 25;
    let index = 0;
    /** Where in the clip frame `index` comes from: moved by IFameCmd so that a key frame comes next. */
    let shift = 0;
    const firstKey = Math.max(
      0,
      clip.findIndex((f) => f.key),
    );
    let sequence = Math.floor(Math.random() * 0xffff);
    const started = Date.now();
    this.#stream = setInterval(() => {
      // Catch up to wall time so a busy machine does not slow the clip down.
      const due = Math.floor(((Date.now() - started) * fps) / 1000);
      while (index <= due) {
        if (this.#keyFrameDue) {
          this.#keyFrameDue = false;
          shift = (((firstKey - index) % clip.length) + clip.length) % clip.length;
        }
        const frame = clip[(index + shift) % clip.length] as ClipFrame;
        const pts = index * (90_000 / fps);
        const pack = muxPsFrame(frame.data, pts, { key: frame.key, streamType: this.#opts.streamType });
        for (const packet of psRtpPackets(pack, { ssrc: target.ssrc, sequence, timestamp: pts })) {
          send(packet);
          sequence = (sequence + 1) & 0xffff;
          this.packetsSent += 1;
        }
        index += 1;
      }
    }, 1000 / fps);
  }

  #stopStream(): void {
    this.#tcp?.destroy();
    this.#tcp = null;
    if (this.#stream) clearInterval(this.#stream);
    this.#stream = null;
    this.streaming = false;
  }
}

function statusOf(message: Message): number {
  return Number(/^SIP\/2\.0 (\d{3})/.exec(message.start)?.[1] ?? 0);
}

const gb2312 = (xml: string) => iconv.encode(xml, 'gb18030');
