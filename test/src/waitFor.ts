/**
 * Waiting for a condition instead of sleeping, outside an `expect.poll` (in
 * hooks and helpers, or where the value is needed afterwards).
 */

export interface WaitOptions {
  /** Default 15000. */
  timeoutMs?: number;
  /** Pause between two reads; default 200. */
  intervalMs?: number;
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  readonly code = 'wait_timeout';
}

/**
 * Reads `read()` until `check` accepts the value (by default: any truthy
 * value) and resolves with it; throws a WaitTimeoutError naming `what` and
 * the last value after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  read: () => T | Promise<T>,
  check: (value: T) => boolean = Boolean,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) {
      throw new WaitTimeoutError(`${what}: not within ${timeoutMs} ms; last value: ${describe(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}

function describe(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 600);
  } catch {
    return String(value);
  }
}
