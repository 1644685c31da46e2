/**
 * Refusals of the GB/T 28181 platform. Devices never see these codes (they get
 * a SIP status); they are logged with the reason and asserted by the tests.
 */
import { CodedError } from '@beacon/common';
import type { SipResponse } from './sipMessage.ts';

export type GbErrorCode =
  /** The MANSCDP body is not well-formed XML (or holds a DTD). */
  | 'manscdp_not_xml'
  /** The body names a charset we cannot decode, or has bytes that are not valid in the one it names. */
  | 'manscdp_charset'
  /** A well-formed body that is not a MANSCDP Query/Notify/Response/Control with a CmdType. */
  | 'manscdp_shape'
  /** A device or channel ID that is not 20 digits. */
  | 'bad_device_id'
  /** A SIP datagram that does not parse. */
  | 'sip_malformed'
  /**
   * A SIP stream (TCP) we cannot cut into messages: no Content-Length, one past the size limit, headers
   * that never end, or bytes that are not SIP. The connection is closed: nothing after it can be trusted.
   */
  | 'sip_framing'
  /** An SDP answer we cannot use (no PS/96 media, no port). */
  | 'sdp_unusable'
  /** The camera sends H.265 (or another codec) that the browser path cannot carry. */
  | 'codec_unsupported'
  /** A PS stream that breaks its own structure (bad pack start, lengths past the end). */
  | 'ps_malformed'
  /** The device did not answer a request in time. */
  | 'device_timeout'
  /** The device is not registered (or went offline). */
  | 'device_offline'
  /** The device answered a request with an error status. */
  | 'device_refused';

export class GbError extends CodedError<GbErrorCode> {
  override readonly name = 'GbError';
}

/** GB/T 28181 IDs are 20 decimal digits: centre code (8), industry (2), type (3), network (1), serial (6). */
export const GB_ID = /^\d{20}$/;

export function assertGbId(id: string, what = 'device ID'): string {
  if (!GB_ID.test(id)) throw new GbError('bad_device_id', `${what} "${id.slice(0, 40)}" is not 20 digits`);
  return id;
}

/** A device's error answer to one of our requests. */
export function refused(method: string, response: SipResponse): GbError {
  return new GbError('device_refused', `${method} answered ${response.status} ${response.reason}`);
}
