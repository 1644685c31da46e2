/**
 * A camera that tells the time: a browser's camera replaced by a canvas on
 * which every frame paints the wall clock (Date.now(), ms) and a source
 * number as a grid of black and white blocks, and the reader that gets them
 * back out of a decoded frame. Same machine, same clock: now − painted is
 * glass-to-glass latency.
 *
 * The grid (4 rows × 16 blocks of 40×40 px across the top of a 640×360
 * frame) survives a 160×90 simulcast layer and a low bit rate: a block is
 * still 10×10 px there, and only its middle is read. 64 bits: the low 40
 * bits of the time, the source (8 bits), and two check bytes, so a frame
 * decoded from broken references (a switch before its key frame) reads as
 * nothing rather than as a wrong time.
 */

export const STAMP_WIDTH = 640;
export const STAMP_HEIGHT = 360;
const COLS = 16;
const ROWS = 4;
const BLOCK = 40;

function checkBytes(data: number[]): [number, number] {
  let xor = 0;
  let weighted = 0;
  data.forEach((byte, i) => {
    xor ^= byte;
    weighted = (weighted + byte * (i + 1)) % 256;
  });
  return [xor, weighted];
}

/**
 * An init script (page.addInitScript) that makes getUserMedia return the
 * stamped canvas at `fps` as the camera and a silent microphone (silence:
 * no active-speaker switches during a measurement). `h264Only` also strips
 * every video codec but H.264 from the page's SDP offers, so the console's
 * camera goes out as H.264 (it asks for VP8 only when the browser offers it).
 *
 * Plain JavaScript text: the page runs it without the bundler's helpers. The
 * byte layout: time (5 bytes, big end first), source, then checkBytes' two.
 */
export function stampedCameraScript(opts: { source: number; fps: number; h264Only: boolean }): string {
  return `(() => {
  const W = ${STAMP_WIDTH}, H = ${STAMP_HEIGHT}, COLS = ${COLS}, ROWS = ${ROWS}, BLOCK = ${BLOCK};
  const SOURCE = ${opts.source & 0xff}, FPS = ${opts.fps};
  function bytesOf(ms) {
    const data = [4, 3, 2, 1, 0].map((i) => Math.floor(ms / 256 ** i) % 256);
    data.push(SOURCE);
    let xor = 0, weighted = 0;
    data.forEach((b, i) => { xor ^= b; weighted = (weighted + b * (i + 1)) % 256; });
    data.push(xor, weighted);
    return data;
  }
  let canvas = null;
  function camera() {
    if (!canvas) {
      canvas = document.createElement('canvas');
      canvas.width = W; canvas.height = H;
      const g = canvas.getContext('2d');
      let n = 0;
      const paint = () => {
        n += 1;
        // Something that moves below the grid, as a camera's picture does.
        g.fillStyle = 'rgb(60, 90, 120)'; g.fillRect(0, 0, W, H);
        g.fillStyle = 'rgb(230, 160, 40)'; g.fillRect((n * 7) % (W - 80), 200 + ((n * 3) % 100), 80, 60);
        const ms = Date.now();
        const bytes = bytesOf(ms);
        for (let bit = 0; bit < COLS * ROWS; bit++) {
          const on = (bytes[bit >> 3] >> (7 - (bit & 7))) & 1;
          g.fillStyle = on ? '#fff' : '#000';
          g.fillRect((bit % COLS) * BLOCK, Math.floor(bit / COLS) * BLOCK, BLOCK, BLOCK);
        }
        g.fillStyle = '#fff'; g.font = '24px monospace'; g.fillText('source ' + SOURCE + ' ' + ms, 20, 190);
      };
      paint();
      setInterval(paint, 1000 / FPS);
    }
    return canvas.captureStream(FPS).getVideoTracks()[0];
  }
  let audio = null;
  function silence() {
    if (!audio) audio = new AudioContext().createMediaStreamDestination().stream.getAudioTracks()[0];
    return audio.clone();
  }
  const devices = navigator.mediaDevices;
  devices.getUserMedia = async (constraints) => {
    const stream = new MediaStream();
    if (constraints && constraints.video) stream.addTrack(camera().clone());
    if (constraints && constraints.audio) stream.addTrack(silence());
    return stream;
  };
  if (${opts.h264Only}) {
    const keepH264 = (sdp) => {
      const sections = sdp.split(/\\r\\n(?=m=)/);
      return sections.map((section) => {
        if (!section.startsWith('m=video')) return section;
        const lines = section.split('\\r\\n');
        const codec = new Map();
        const apt = new Map();
        for (const line of lines) {
          let m = /^a=rtpmap:(\\d+) ([^/]+)/.exec(line);
          if (m) codec.set(m[1], m[2].toUpperCase());
          m = /^a=fmtp:(\\d+) apt=(\\d+)/.exec(line);
          if (m) apt.set(m[1], m[2]);
        }
        const keep = new Set([...codec].filter(([pt, name]) => name === 'H264' || (name === 'RTX' && codec.get(apt.get(pt)) === 'H264')).map(([pt]) => pt));
        return lines.filter((line) => {
          const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\\d+)/.exec(line);
          return !m || keep.has(m[1]);
        }).map((line) => {
          if (!line.startsWith('m=video')) return line;
          const parts = line.split(' ');
          return [...parts.slice(0, 3), ...parts.slice(3).filter((pt) => keep.has(pt))].join(' ');
        }).join('\\r\\n');
      }).join('\\r\\n');
    };
    const createOffer = RTCPeerConnection.prototype.createOffer;
    RTCPeerConnection.prototype.createOffer = async function (...args) {
      const offer = await createOffer.apply(this, args);
      return { type: offer.type, sdp: keepH264(offer.sdp) };
    };
  }
})();`;
}

export interface ReadStamp {
  /** Date.now() when the frame was painted. */
  ms: number;
  source: number;
}

/**
 * The stamp in a decoded 8-bit grey frame of `width` × `height` (any size:
 * the grid scales with the picture), or null when it does not check out.
 * `nowMs` restores the high bits the grid does not carry.
 */
export function readStamp(gray: Buffer, width: number, height: number, nowMs: number): ReadStamp | null {
  const sx = width / STAMP_WIDTH;
  const sy = height / STAMP_HEIGHT;
  const bytes = new Array<number>(8).fill(0);
  for (let bit = 0; bit < COLS * ROWS; bit++) {
    const x0 = Math.floor(((bit % COLS) * BLOCK + BLOCK * 0.3) * sx);
    const x1 = Math.ceil(((bit % COLS) * BLOCK + BLOCK * 0.7) * sx);
    const y0 = Math.floor((Math.floor(bit / COLS) * BLOCK + BLOCK * 0.3) * sy);
    const y1 = Math.ceil((Math.floor(bit / COLS) * BLOCK + BLOCK * 0.7) * sy);
    let sum = 0;
    let count = 0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        sum += gray[y * width + x] ?? 0;
        count += 1;
      }
    }
    if (count > 0 && sum / count >= 128) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (1 << (7 - (bit & 7)));
  }
  const data = bytes.slice(0, 6);
  const [xor, weighted] = checkBytes(data);
  if (xor !== bytes[6] || weighted !== bytes[7]) return null;
  const low = data.slice(0, 5).reduce((acc, byte) => acc * 256 + byte, 0);
  const span = 2 ** 40;
  const ms = Math.floor(nowMs / span) * span + low;
  return { ms: ms > nowMs + span / 2 ? ms - span : ms, source: data[5] ?? 0 };
}
