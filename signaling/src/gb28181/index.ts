/** What tests and benches use of the GB/T 28181 platform: the stream path and the message readers. */
export { readCatalogPage } from './catalog.ts';
export { GB_ID, GbError, type GbErrorCode } from './GbError.ts';
export type { GbService } from './GbService.ts';
export { H264Gate, H264Packetizer, NAL, nalType, splitAnnexB } from './h264Rtp.ts';
export { cameraRoomId, type LiveView } from './LiveView.ts';
export { parseManscdp } from './manscdp.ts';
export { type AccessUnit, PsDemuxer } from './PsDemuxer.ts';
export { ptzBytes, ptzCmdText } from './ptzCmd.ts';
