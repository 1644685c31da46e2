/**
 * A report photo from a terminal's camera or a file, checked by its content
 * and made safe to serve:
 *
 * - size: at most `maxBytes` (`photo_too_large`), checked before anything decodes it;
 * - type: the first bytes must be JPEG, PNG or WebP (`photo_not_image`) — the
 *   file name and the declared type are never trusted, so an executable
 *   renamed .jpg is refused — and sharp (libvips) must decode it as that format;
 * - EXIF: the camera's GPS position and time are read (exifr) and kept as data,
 *   then the image is re-encoded as JPEG without any metadata (sharp drops it
 *   unless asked to keep it), turned upright first so nothing looks sideways;
 * - a thumbnail for the inbox.
 *
 * sharp ships prebuilt libvips binaries through npm, so nothing is compiled here.
 */
import { BeaconError } from '@beacon/protocol';
import exifr from 'exifr';
import sharp, { type Sharp } from 'sharp';

/** Default largest photo accepted: 10 MB (a phone camera's JPEG is 2–6 MB). */
export const DEFAULT_MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** A decompression bomb (a small file that decodes to gigapixels) is refused beyond this many pixels. */
const MAX_PIXELS = 80_000_000;
/** The served image's longest side; a 48 MP original is more than any console shows. */
const SERVED_MAX_SIDE = 2560;
const THUMB_SIDE = 320;

const SIGNATURES: { format: 'jpeg' | 'png' | 'webp'; matches: (b: Buffer) => boolean }[] = [
  { format: 'jpeg', matches: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    format: 'png',
    matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  {
    format: 'webp',
    matches: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

export interface CheckedPhoto {
  /** The image to serve: JPEG, upright, no metadata. */
  served: Buffer;
  thumbnail: Buffer;
  width: number;
  height: number;
  /** [lat, lon] from EXIF GPS; null when the camera wrote none. */
  exifLocation: [number, number] | null;
  exifTakenAt: string | null;
}

/** The format the bytes start with, or null. */
export function photoFormat(bytes: Buffer): 'jpeg' | 'png' | 'webp' | null {
  return SIGNATURES.find((s) => s.matches(bytes))?.format ?? null;
}

export function checkPhotoSize(bytes: number, maxBytes = DEFAULT_MAX_PHOTO_BYTES): void {
  if (bytes > maxBytes) {
    throw new BeaconError(
      'photo_too_large',
      `照片超过 ${Math.round(maxBytes / 1024 / 1024)} MB / the photo is larger than ${maxBytes} bytes`,
    );
  }
}

async function readExif(bytes: Buffer): Promise<Pick<CheckedPhoto, 'exifLocation' | 'exifTakenAt'>> {
  try {
    const tags = (await exifr.parse(bytes, { gps: true })) as
      | { latitude?: number; longitude?: number; DateTimeOriginal?: Date }
      | undefined;
    const { latitude, longitude, DateTimeOriginal } = tags ?? {};
    const located = Number.isFinite(latitude) && Number.isFinite(longitude);
    const taken = DateTimeOriginal instanceof Date && !Number.isNaN(DateTimeOriginal.getTime());
    return {
      exifLocation: located ? [latitude as number, longitude as number] : null,
      exifTakenAt: taken ? DateTimeOriginal.toISOString() : null,
    };
  } catch {
    // Broken EXIF is common (edited photos); the picture itself is still good.
    return { exifLocation: null, exifTakenAt: null };
  }
}

export async function checkPhoto(bytes: Buffer, maxBytes = DEFAULT_MAX_PHOTO_BYTES): Promise<CheckedPhoto> {
  checkPhotoSize(bytes.length, maxBytes);
  const format = photoFormat(bytes);
  if (!format)
    throw new BeaconError('photo_not_image', '照片不是 JPEG、PNG 或 WebP 图片 / not a JPEG, PNG or WebP image');
  const notDecodable = (cause?: unknown) =>
    new BeaconError('photo_not_image', '照片无法解码 / the image cannot be decoded', { cause });
  let image: Sharp;
  try {
    image = sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'error' });
    const meta = await image.metadata();
    if (meta.format !== format || !meta.width || !meta.height) throw notDecodable();
  } catch (err) {
    throw err instanceof BeaconError ? err : notDecodable(err);
  }
  try {
    const upright = image
      .rotate()
      .resize(SERVED_MAX_SIDE, SERVED_MAX_SIDE, { fit: 'inside', withoutEnlargement: true });
    const { data: served, info } = await upright
      .clone()
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 85, mozjpeg: false })
      .toBuffer({ resolveWithObject: true });
    const thumbnail = await upright
      .clone()
      .resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 70 })
      .toBuffer();
    return { served, thumbnail, width: info.width, height: info.height, ...(await readExif(bytes)) };
  } catch (err) {
    throw notDecodable(err);
  }
}
