/**
 * Ids the fuzzer has seen (rooms, townships, warnings, transports, producers…),
 * by the field name they came under, so generated payloads reach past "not
 * found" into the handlers. Fed from REST lists and from every ack and server
 * event (`learn`); bounded so a long run does not grow it without end.
 */
import type { Random } from './random.ts';

const PER_NAME = 200;

export class IdPool {
  readonly #byName = new Map<string, string[]>();

  add(name: string, value: string): void {
    if (value.length === 0 || value.length > 128) return;
    for (const key of [name, '*']) {
      const list = this.#byName.get(key) ?? [];
      if (list.includes(value)) continue;
      list.push(value);
      if (list.length > PER_NAME) list.shift();
      this.#byName.set(key, list);
    }
  }

  /** Every string under a key ending in `id`/`Id` (and `id` of an object under `fooId`-less keys) in `data`. */
  learn(data: unknown, depth = 0): void {
    if (depth > 6 || data === null || typeof data !== 'object') return;
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'string' && /(^id$|Id$)/.test(key)) this.add(key, value);
      else if (Array.isArray(value) && /Ids$/.test(key)) {
        for (const item of value) if (typeof item === 'string') this.add(key.slice(0, -1), item);
      } else this.learn(value, depth + 1);
    }
  }

  /** A known id for a field of this name (or any known id), undefined when none is known yet. */
  pick(random: Random, name: string): string | undefined {
    const own = this.#byName.get(name);
    if (own && own.length > 0 && random.chance(0.85)) return random.pick(own);
    const any = this.#byName.get('*');
    return any && any.length > 0 ? random.pick(any) : undefined;
  }

  size(): number {
    return this.#byName.get('*')?.length ?? 0;
  }
}
