/**
 * JSON read back from Redis (pub/sub messages, registry and presence
 * entries) is another process's output — another Beacon version during a
 * rolling upgrade, or anyone with access to Redis — so it is parsed and
 * checked, never trusted: null when it is not JSON or not the expected shape.
 */
import type { z } from 'zod';

export function parseRedisJson<S extends z.ZodType>(schema: S, raw: string): z.infer<S> | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
