/**
 * The platform's PS demuxer on what the device simulator sends: an H.264 clip
 * from ffmpeg, muxed as GB/T 28181 program stream and cut into RTP-sized
 * chunks, comes out frame for frame; a pack cut in the middle costs that frame
 * only; a stream without SPS/PPS never opens the gate; an H.265 stream map is
 * refused with `codec_unsupported`. ffprobe reads the simulator's PS as H.264,
 * so the muxer the other tests trust is checked by an independent reader.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type AccessUnit, GbError, H264Gate, NAL, nalType, PsDemuxer, splitAnnexB } from '@beacon/signaling/gb28181';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClipFrame, h264Clip } from '../src/gb28181/h264Clip.ts';
import { muxPsFrame } from '../src/gb28181/psMux.ts';

const run = promisify(execFile);
let clip: ClipFrame[];

function psOf(frames: ClipFrame[], streamType = 0x1b): Buffer[] {
  return frames.map((frame, index) => muxPsFrame(frame.data, index * 3600, { key: frame.key, streamType }));
}

/** Feeds packs in 1,400-byte chunks, flushing at each pack's end as the RTP marker would. */
function demux(packs: Buffer[], demuxer: PsDemuxer, skip?: (pack: number, chunk: number) => boolean): void {
  packs.forEach((pack, p) => {
    for (let at = 0, c = 0; at < pack.length; at += 1400, c += 1) {
      if (skip?.(p, c)) {
        demuxer.discontinuity();
        continue;
      }
      demuxer.push(pack.subarray(at, at + 1400));
    }
    demuxer.flush();
  });
}

beforeAll(async () => {
  clip = await h264Clip({ seconds: 2, fps: 25 });
});

describe('PS demuxer', () => {
  it('ffprobe reads the simulator PS as one H.264 stream', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'beacon-ps-'));
    const file = path.join(dir, 'clip.ps');
    await writeFile(file, Buffer.concat(psOf(clip)));
    const { stdout } = await run('ffprobe', [
      ...['-v', 'error', '-f', 'mpeg', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', file],
    ]);
    expect(stdout.trim()).toBe('h264,640,360');
  });

  it('gives back every frame byte for byte, with its PTS', () => {
    const units: AccessUnit[] = [];
    const demuxer = new PsDemuxer((unit) => units.push(unit));
    demux(psOf(clip), demuxer);
    expect(units.length).toBe(clip.length);
    units.forEach((unit, index) => {
      expect(unit.pts).toBe(index * 3600);
      expect(unit.data.equals((clip[index] as ClipFrame).data)).toBe(true);
    });
    expect(demuxer.resyncs).toBe(0);
  });

  it('a pack cut mid-way loses that frame only and resumes at the next pack', () => {
    const units: AccessUnit[] = [];
    const demuxer = new PsDemuxer((unit) => units.push(unit));
    const packs = psOf(clip);
    // The first key frame is several chunks long: lose its second chunk.
    expect((packs[0] as Buffer).length).toBeGreaterThan(2800);
    demux(packs, demuxer, (p, c) => p === 0 && c === 1);
    expect(units.length).toBe(clip.length - 1);
    expect(units[0]?.data.equals((clip[1] as ClipFrame).data)).toBe(true);
    // Garbage between packs is skipped too.
    const more: AccessUnit[] = [];
    const again = new PsDemuxer((unit) => more.push(unit));
    again.push(Buffer.from([0, 0, 1, 0xe0, 0xff, 0xff, 1, 2, 3]));
    again.push(Buffer.concat([Buffer.from('junk'), packs[0] as Buffer]));
    again.flush();
    expect(more.length).toBe(1);
    expect(more[0]?.data.equals((clip[0] as ClipFrame).data)).toBe(true);
  });

  it('a stream without SPS/PPS never opens the gate', () => {
    const gate = new H264Gate();
    const stripped = clip.map((frame) => {
      const units = splitAnnexB(frame.data).filter((u) => nalType(u) !== NAL.SPS && nalType(u) !== NAL.PPS);
      return { key: frame.key, data: Buffer.concat(units.flatMap((u) => [Buffer.from([0, 0, 0, 1]), u])) };
    });
    const demuxer = new PsDemuxer((unit) => gate.accept(splitAnnexB(unit.data)));
    demux(psOf(stripped), demuxer);
    expect(gate.open).toBe(false);
    expect(gate.sawParameterSets).toBe(false);
    expect(gate.droppedWaiting).toBe(clip.length);

    const good = new H264Gate();
    const forwarded: number[][] = [];
    new PsDemuxer((unit) => {
      const units = good.accept(splitAnnexB(unit.data));
      if (units) forwarded.push(units.map(nalType));
    }).push(Buffer.concat(psOf(clip.slice(0, 3))));
    expect(good.open).toBe(true);
    // The first forwarded frame carries SPS, PPS and the IDR slice; AUDs are dropped.
    expect(forwarded[0]).toEqual(expect.arrayContaining([NAL.SPS, NAL.PPS, NAL.IDR]));
    expect(forwarded.flat()).not.toContain(NAL.AUD);
  });

  it('refuses an H.265 stream map with codec_unsupported', () => {
    const demuxer = new PsDemuxer(() => undefined);
    let error: unknown;
    try {
      demux(psOf(clip.slice(0, 2), 0x24), demuxer);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GbError);
    expect((error as GbError).code).toBe('codec_unsupported');
    expect((error as GbError).message).toContain('H.265');
  });
});
