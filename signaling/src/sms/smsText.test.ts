import { describe, expect, it } from 'vitest';
import { maskMobile, normaliseMobile, REPLY_HINT, UCS2_PART, ucs2Parts, warningSmsText } from './smsText.ts';

const warning = {
  event: '暴雨',
  colour: 'orange' as const,
  headline: '鹿城镇暴雨橙色预警',
  description: '预计未来3小时将出现50毫米以上降雨',
  instruction: '请做好防范',
};

describe('UCS-2 parts', () => {
  it('fits 70 characters in one SMS and 67 per part beyond', () => {
    expect(ucs2Parts('')).toBe(0);
    expect(ucs2Parts('雨'.repeat(70))).toBe(1);
    expect(ucs2Parts('雨'.repeat(71))).toBe(2);
    expect(ucs2Parts('雨'.repeat(134))).toBe(2);
    expect(ucs2Parts('雨'.repeat(135))).toBe(3);
    // An emoji is two UTF-16 units, as it is two UCS-2 characters on the air.
    expect(ucs2Parts('😀'.repeat(35))).toBe(1);
    expect(ucs2Parts('😀'.repeat(36))).toBe(2);
  });
});

describe('warning text', () => {
  it('reads signature, event and colour, headline, description, instruction and how to acknowledge', () => {
    expect(warningSmsText(warning, 1, { signature: '楚雄应急', maxParts: 5 })).toBe(
      `【楚雄应急】暴雨橙色预警：鹿城镇暴雨橙色预警。预计未来3小时将出现50毫米以上降雨。请做好防范。${REPLY_HINT}`,
    );
  });

  it('says so when it texts again', () => {
    expect(warningSmsText(warning, 2, { signature: '楚雄应急', maxParts: 5 })).toMatch(
      /^【楚雄应急】再次通知：暴雨橙色预警/,
    );
  });

  it('shortens only the description to stay within the parts allowed, never through a surrogate pair', () => {
    const long = { ...warning, description: `${'强降雨'.repeat(200)}😀` };
    for (const maxParts of [1, 2, 3]) {
      const text = warningSmsText(long, 1, { signature: '楚雄应急', maxParts });
      expect(ucs2Parts(text)).toBeLessThanOrEqual(maxParts);
      expect(text).toContain('鹿城镇暴雨橙色预警。');
      expect(text).toContain('…请做好防范。');
      expect(text.endsWith(REPLY_HINT)).toBe(true);
    }
    const two = warningSmsText(long, 1, { signature: '楚雄应急', maxParts: 2 });
    expect(two.length).toBe(2 * UCS2_PART);
    const emoji = warningSmsText({ ...warning, description: '😀'.repeat(100) }, 1, { signature: '应急', maxParts: 2 });
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('mobile numbers', () => {
  it('accepts what people type for a mainland mobile and refuses the rest', () => {
    expect(normaliseMobile('138 0000 0001')).toBe('13800000001');
    expect(normaliseMobile('+8613800000001')).toBe('13800000001');
    expect(normaliseMobile('0086-138-0000-0001')).toBe('13800000001');
    expect(normaliseMobile('8613800000001')).toBe('13800000001');
    expect(normaliseMobile('0878-3123456')).toBeNull();
    expect(normaliseMobile('12800000001')).toBeNull();
    expect(normaliseMobile(null)).toBeNull();
    expect(maskMobile('13800000001')).toBe('138****0001');
  });
});
