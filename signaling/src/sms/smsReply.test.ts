import { describe, expect, it } from 'vitest';
import { decodeKannelText, isAckReply } from './smsReply.ts';

describe('replies', () => {
  it('takes 1 and 收到 (and their usual spellings) as acknowledgements', () => {
    for (const text of ['1', '１', ' 1 ', '收到', '收到！', '收到。', '已收到', '收到了', '签收', '【收到】']) {
      expect(isAckReply(text), text).toBe(true);
    }
  });

  it('leaves anything else to a person', () => {
    for (const text of ['', '2', '11', '收到，但桥已冲毁', '没收到', '不', 'ok', '1 2']) {
      expect(isAckReply(text), text).toBe(false);
    }
  });

  it('decodes what Kannel hands over: UTF-16BE for UCS-2, UTF-8 for 7-bit texts', () => {
    expect(decodeKannelText('65365230', 'UTF-16BE')).toBe('收到');
    expect(decodeKannelText('E694B6E588B0', 'UTF-8')).toBe('收到');
    expect(decodeKannelText('31', 'UTF-8')).toBe('1');
    expect(decodeKannelText('E9', 'WINDOWS-1252')).toBe('é');
    expect(() => decodeKannelText('zz', 'UTF-8')).toThrow(TypeError);
  });
});
