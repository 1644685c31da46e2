/**
 * PTZCmd (GB/T 28181-2016 A.3, the front-end device control command): eight
 * bytes written as 16 hex digits in `<Control><CmdType>DeviceControl<PTZCmd>`.
 *
 *   byte 1  A5                      command start
 *   byte 2  version<<4 | check      check = (0xA + 0x5 + version) mod 16 → 0F for version 0
 *   byte 3  address, low 8 bits     01 for a channel addressed by its own ID
 *   byte 4  instruction             PTZ bits 00ZZ UDLR (zoom out 0x20, zoom in 0x10, up 0x08, down 0x04,
 *                                   left 0x02, right 0x01), 00 stop; presets 0x81 set, 0x82 call, 0x83 delete
 *   byte 5  data 1                  pan speed 0–255 (preset: 00)
 *   byte 6  data 2                  tilt speed 0–255 (preset: the preset number 1–255)
 *   byte 7  zoom speed<<4 | address high 4 bits
 *   byte 8  checksum                sum of bytes 1–7 mod 256
 */
import type { CameraPtzRequest } from '@beacon/protocol';

/** What the console asks for (validated by `cameraPtzSchema` at the HTTP edge). */
export type PtzRequest = CameraPtzRequest;

const PRESET_CODES = { presetSet: 0x81, presetCall: 0x82, presetDelete: 0x83 } as const;

/** The eight bytes of one PTZ command for address 1. */
export function ptzBytes(request: PtzRequest, address = 1): Buffer {
  let instruction = 0;
  let data1 = 0;
  let data2 = 0;
  let zoomSpeed = 0;
  if (request.action === 'move') {
    if (request.pan > 0) instruction |= 0x01;
    if (request.pan < 0) instruction |= 0x02;
    if (request.tilt < 0) instruction |= 0x04;
    if (request.tilt > 0) instruction |= 0x08;
    if (request.zoom > 0) instruction |= 0x10;
    if (request.zoom < 0) instruction |= 0x20;
    data1 = request.pan === 0 ? 0 : request.speed;
    data2 = request.tilt === 0 ? 0 : request.speed;
    zoomSpeed = request.zoom === 0 ? 0 : request.speed >> 4;
  } else if (request.action !== 'stop') {
    instruction = PRESET_CODES[request.action];
    data2 = request.preset;
  }
  const bytes = Buffer.from([
    0xa5,
    0x0f,
    address & 0xff,
    instruction,
    data1,
    data2,
    ((zoomSpeed & 0x0f) << 4) | ((address >> 8) & 0x0f),
    0,
  ]);
  let sum = 0;
  for (let i = 0; i < 7; i += 1) sum += bytes[i] as number;
  bytes[7] = sum & 0xff;
  return bytes;
}

/** The PTZCmd text: 16 upper-case hex digits. */
export const ptzCmdText = (request: PtzRequest): string => ptzBytes(request).toString('hex').toUpperCase();
