import { CodedError } from '@beacon/common';
export type TurnErrorCode = 'turn_not_installed' | 'turn_start_failed' | 'bad_config';

/** Everything that can go wrong running coturn. Beacon keeps running without TURN on any of them. */
export class TurnError extends CodedError<TurnErrorCode> {
  override readonly name = 'TurnError';
}
