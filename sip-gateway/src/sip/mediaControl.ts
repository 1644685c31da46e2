/**
 * SIP INFO `application/media_control+xml` (RFC 5168): the fast picture
 * update many hardware terminals use instead of (or beside) RTCP PLI/FIR to
 * ask for a key frame, and expect from us. The body is one fixed document;
 * a regular expression over a size-capped body is enough to recognise it
 * (no XML library for one element, and nothing in it is read but its name).
 */

export const MEDIA_CONTROL_TYPE = 'application/media_control+xml';
const MAX_BODY = 4096;

export const PICTURE_FAST_UPDATE_XML = [
  '<?xml version="1.0" encoding="utf-8" ?>',
  '<media_control>',
  '  <vc_primitive>',
  '    <to_encoder>',
  '      <picture_fast_update/>',
  '    </to_encoder>',
  '  </vc_primitive>',
  '</media_control>',
  '',
].join('\r\n');

export function isMediaControl(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === MEDIA_CONTROL_TYPE;
}

/** True when a media_control body asks the encoder for a fast picture update. */
export function asksPictureFastUpdate(body: string): boolean {
  if (body.length > MAX_BODY || !/<media_control[\s>]/.test(body)) return false;
  return /<to_encoder>[\s\S]*<picture_fast_update\s*\/?>[\s\S]*<\/to_encoder>/.test(body);
}
