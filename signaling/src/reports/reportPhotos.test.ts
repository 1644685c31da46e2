/** Report photos: checked by content and size, EXIF position kept as data and gone from the served bytes. */
import { BeaconError } from '@beacon/protocol';
import exifr from 'exifr';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkPhoto, photoFormat } from './reportPhotos.ts';

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (err: unknown) => (err instanceof BeaconError ? err.code : String(err)),
  );

const canvas = (width = 640, height = 480) => sharp({ create: { width, height, channels: 3, background: '#3a6' } });

/** A JPEG as a phone camera writes it: GPS position (25°02'30" N, 101°32' E) and time in EXIF. */
export const cameraJpeg = (width = 640, height = 480): Promise<Buffer> =>
  canvas(width, height)
    .jpeg()
    .withExif({
      IFD0: { Make: 'BeaconCam' },
      IFD2: { DateTimeOriginal: '2026:12:07 08:30:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '25/1 2/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '101/1 32/1 0/1' },
    })
    .toBuffer();

describe('checkPhoto', () => {
  it('keeps the camera position as data, serves the JPEG without any EXIF, and makes a small thumbnail', async () => {
    const original = await cameraJpeg(1600, 1200);
    expect((await exifr.gps(original))?.latitude).toBeCloseTo(25.0417, 3);
    const photo = await checkPhoto(original);
    expect(photo.exifLocation?.[0]).toBeCloseTo(25.0417, 3);
    expect(photo.exifLocation?.[1]).toBeCloseTo(101.5333, 3);
    expect(photo.exifTakenAt).toMatch(/^2026-12-07T/);
    expect(photoFormat(photo.served)).toBe('jpeg');
    expect(await exifr.parse(photo.served, { gps: true })).toBeUndefined();
    expect((await sharp(photo.served).metadata()).exif).toBeUndefined();
    const thumb = await sharp(photo.thumbnail).metadata();
    expect(Math.max(thumb.width ?? 0, thumb.height ?? 0)).toBe(320);
    expect([photo.width, photo.height]).toEqual([1600, 1200]);
  });

  it('accepts PNG and WebP by their content and serves them as JPEG', async () => {
    for (const bytes of [await canvas().png().toBuffer(), await canvas().webp().toBuffer()]) {
      const photo = await checkPhoto(bytes);
      expect(photoFormat(photo.served)).toBe('jpeg');
      expect(photo.exifLocation).toBeNull();
    }
  });

  it('refuses an executable renamed .jpg, a GIF, and bytes that only start like a JPEG', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(4096, 0x90)]);
    const gif = await canvas().gif().toBuffer();
    const fakeJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 0x41)]);
    expect(await codeOf(checkPhoto(elf))).toBe('photo_not_image');
    expect(await codeOf(checkPhoto(gif))).toBe('photo_not_image');
    expect(await codeOf(checkPhoto(fakeJpeg))).toBe('photo_not_image');
  });

  it('refuses a photo over the size limit before decoding it', async () => {
    const big = Buffer.concat([await cameraJpeg(), Buffer.alloc(50 * 1024 * 1024)]);
    expect(await codeOf(checkPhoto(big))).toBe('photo_too_large');
    expect(await codeOf(checkPhoto(await cameraJpeg(), 1000))).toBe('photo_too_large');
  });
});
