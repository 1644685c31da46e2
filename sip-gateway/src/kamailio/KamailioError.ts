import { CodedError } from '@beacon/common';
export type KamailioErrorCode =
  | 'kamailio_not_installed'
  | 'kamailio_start_failed'
  | 'kamailio_rpc_failed'
  | 'bad_config';

/** Everything that can go wrong running Kamailio, with a code the gateway reports as its SIP status reason. */
export class KamailioError extends CodedError<KamailioErrorCode> {
  override readonly name = 'KamailioError';
}
