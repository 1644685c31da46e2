import { CodedError } from '@beacon/common';

export type KannelErrorCode = 'sms_not_installed' | 'sms_start_failed' | 'bad_config';

/** Everything that can go wrong running Kannel. Beacon keeps running without SMS on any of them. */
export class KannelError extends CodedError<KannelErrorCode> {
  override readonly name = 'KannelError';
}
