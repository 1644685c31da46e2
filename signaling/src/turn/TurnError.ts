export type TurnErrorCode = 'turn_not_installed' | 'turn_start_failed' | 'bad_config';

/** Everything that can go wrong running coturn. Beacon keeps running without TURN on any of them. */
export class TurnError extends Error {
  override readonly name = 'TurnError';
  constructor(
    readonly code: TurnErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
