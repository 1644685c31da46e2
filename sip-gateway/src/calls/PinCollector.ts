/**
 * Collects a PIN from keypad tones: digits until `#`, or until the caller
 * stops typing (inter-digit timeout) after at least one digit, or nothing at
 * all within the first-digit timeout (→ empty string, counted as a wrong try).
 * The first digit interrupts the prompt that is playing (barge-in).
 */
export interface PinCollectorOptions {
  /** Default 15000: time to start typing, counted from `promptPlayed` (or from now without one). */
  firstDigitMs?: number;
  /**
   * Settles when the prompt asking for the PIN has played (or was cut off).
   * A caller who listens to the whole prompt before typing — the welcome
   * prompt takes 14 s — still gets `firstDigitMs` to start.
   */
  promptPlayed?: Promise<unknown>;
  /** Default 5000: a pause this long after a digit ends the PIN. */
  interDigitMs?: number;
  /** Default 12. */
  maxDigits?: number;
}

export interface DigitSource {
  on(event: 'dtmf', listener: (digit: string) => void): unknown;
  off(event: 'dtmf', listener: (digit: string) => void): unknown;
}

export function collectPin(
  sources: DigitSource[],
  onFirstDigit: () => void,
  opts: PinCollectorOptions = {},
): { pin: Promise<string>; cancel: () => void } {
  const firstDigitMs = opts.firstDigitMs ?? 15_000;
  const interDigitMs = opts.interDigitMs ?? 5000;
  const maxDigits = opts.maxDigits ?? 12;
  let digits = '';
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let finish: (pin: string) => void = () => {};
  const pin = new Promise<string>((resolve) => {
    finish = (value) => {
      done = true;
      clearTimeout(timer);
      for (const source of sources) source.off('dtmf', onDigit);
      resolve(value);
    };
  });
  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => finish(digits), ms);
  };
  function onDigit(digit: string): void {
    if (digits.length === 0) onFirstDigit();
    if (digit === '#') {
      finish(digits);
      return;
    }
    if (!/^[0-9]$/.test(digit)) return;
    digits += digit;
    if (digits.length >= maxDigits) finish(digits);
    else arm(interDigitMs);
  }
  for (const source of sources) source.on('dtmf', onDigit);
  // A digit typed during the prompt has armed the inter-digit wait already.
  const armFirst = () => {
    if (!done && digits.length === 0) arm(firstDigitMs);
  };
  if (opts.promptPlayed === undefined) armFirst();
  else opts.promptPlayed.then(armFirst, armFirst);
  return { pin, cancel: () => finish('') };
}
