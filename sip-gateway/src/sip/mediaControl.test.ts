import { describe, expect, it } from 'vitest';
import { asksPictureFastUpdate, isMediaControl, PICTURE_FAST_UPDATE_XML } from './mediaControl.ts';

describe('SIP INFO media_control (RFC 5168)', () => {
  it('recognises picture_fast_update, ours and a terminal’s compact one', () => {
    expect(isMediaControl('application/media_control+xml; charset=utf-8')).toBe(true);
    expect(isMediaControl('application/dtmf-relay')).toBe(false);
    expect(asksPictureFastUpdate(PICTURE_FAST_UPDATE_XML)).toBe(true);
    const compact =
      '<media_control><vc_primitive><to_encoder><picture_fast_update></picture_fast_update></to_encoder></vc_primitive></media_control>';
    expect(asksPictureFastUpdate(compact)).toBe(true);
  });

  it('refuses what is not a picture_fast_update: other primitives, garbage, oversized bodies', () => {
    expect(asksPictureFastUpdate('<media_control><general_error>x</general_error></media_control>')).toBe(false);
    expect(asksPictureFastUpdate('picture_fast_update')).toBe(false);
    expect(asksPictureFastUpdate(`${PICTURE_FAST_UPDATE_XML}${' '.repeat(5000)}`)).toBe(false);
  });
});
