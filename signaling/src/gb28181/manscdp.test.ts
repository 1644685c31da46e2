/** MANSCDP bodies: GB2312 decoded, IDs kept as text, and each kind of bad body refused with its code. */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readCatalogPage } from './catalog.ts';
import { GbError } from './GbError.ts';
import { parseManscdp, writeManscdp } from './manscdp.ts';

const ID = '34020000001320000001';
const gb = (xml: string) => iconv.encode(xml, 'gb18030');

function codeOf(body: Buffer): string | undefined {
  try {
    parseManscdp(body);
  } catch (err) {
    expect(err).toBeInstanceOf(GbError);
    return (err as GbError).code;
  }
  return undefined;
}

describe('MANSCDP', () => {
  it('reads a GB2312 catalog page with Chinese names and keeps 20-digit IDs as text', () => {
    const doc = parseManscdp(
      gb(`<?xml version="1.0" encoding="GB2312"?><Response><CmdType>Catalog</CmdType><SN>7</SN><DeviceID>${ID}</DeviceID>
        <SumNum>3</SumNum><DeviceList Num="1"><Item><DeviceID>34020000001310000001</DeviceID><Name>鹿城镇路口</Name>
        <Status>OFF</Status><Longitude>101.54</Longitude><Latitude>25.04</Latitude></Item>
        <Item><DeviceID>bad</DeviceID></Item></DeviceList></Response>`),
    );
    expect(doc).toMatchObject({ kind: 'Response', cmdType: 'Catalog', sn: 7, deviceId: ID });
    const page = readCatalogPage(doc);
    expect(page.sumNum).toBe(3);
    expect(page.dropped).toBe(1);
    expect(page.items).toEqual([
      expect.objectContaining({
        channelId: '34020000001310000001',
        name: '鹿城镇路口',
        typeCode: '131',
        online: false,
        longitude: 101.54,
        latitude: 25.04,
      }),
    ]);
  });

  it('writes GB2312 that it reads back', () => {
    const bytes = writeManscdp('Control', {
      CmdType: 'DeviceControl',
      SN: 3,
      DeviceID: ID,
      PTZCmd: 'A50F010180000036',
    });
    expect(bytes.toString('latin1')).toContain('encoding="GB2312"');
    expect(parseManscdp(bytes)).toMatchObject({ kind: 'Control', cmdType: 'DeviceControl', sn: 3, deviceId: ID });
  });

  it('refuses what is not MANSCDP with a code', () => {
    expect(codeOf(Buffer.from('Keepalive OK'))).toBe('manscdp_not_xml');
    expect(codeOf(Buffer.from('<Notify><CmdType>Keepalive</CmdType>'))).toBe('manscdp_not_xml');
    expect(codeOf(Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><Notify/>'))).toBe('manscdp_not_xml');
    // GB2312 bytes under no declaration are not UTF-8; an unknown charset is named as such.
    expect(
      codeOf(gb(`<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>${ID}</DeviceID><I>摄像</I></Notify>`)),
    ).toBe('manscdp_charset');
    expect(codeOf(Buffer.from('<?xml version="1.0" encoding="Shift_JIS"?><Notify/>'))).toBe('manscdp_charset');
    expect(codeOf(Buffer.from(`<Other><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>${ID}</DeviceID></Other>`))).toBe(
      'manscdp_shape',
    );
    expect(codeOf(Buffer.from(`<Notify><SN>1</SN><DeviceID>${ID}</DeviceID></Notify>`))).toBe('manscdp_shape');
    expect(
      codeOf(
        Buffer.from('<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>3402000000132000000</DeviceID></Notify>'),
      ),
    ).toBe('bad_device_id');
    // UTF-8 without a declaration is XML's default and fine.
    expect(
      codeOf(Buffer.from(`<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>${ID}</DeviceID></Notify>`)),
    ).toBe(undefined);
  });
});
