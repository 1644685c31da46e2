/**
 * Bends a valid payload into the shapes a hostile or broken client sends:
 * wrong types, missing and extra fields, huge strings, deep nesting, strange
 * unicode, prototype keys, non-objects, binary, no ack or a non-function ack,
 * unknown events. Each payload says which mutation made it, so the figures
 * show what each kind of input got back.
 */
import type { Random } from './random.ts';

export const MUTATIONS = {
  valid: 30,
  extraField: 8,
  missingField: 10,
  wrongType: 16,
  hugeString: 4,
  deepNesting: 4,
  unicode: 9,
  prototypeKeys: 4,
  notAnObject: 5,
  binary: 2,
  unknownEvent: 3,
  noAck: 3,
  badAck: 2,
} as const;
export type Mutation = keyof typeof MUTATIONS;

export interface FuzzPayload {
  event: string;
  mutation: Mutation;
  /** The arguments after the event name, the ack function not included. */
  args: unknown[];
  /** false: sent without an ack callback (the server must ignore it and stay well). */
  withAck: boolean;
}

/** Strings no server should trip on: NUL, lone surrogates, RTL overrides, combining marks, emoji, BOM. */
const ODD_STRINGS = [
  '\u0000',
  '\ud800',
  'a\udfffb',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  'e\u0301\u0301\u0301\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '\ufeff',
  '鹿城镇\u200b\u200d',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  "'; DROP TABLE users; --",
  '%s%s%n',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder is the payload (template injection)
  '${process.exit()}',
  '\r\n\r\nHTTP/1.1 200 OK',
];
const WRONG_VALUES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  -0,
  Number.MAX_SAFE_INTEGER + 2,
  true,
  '',
  '0',
  [],
  {},
  [[[]]],
  { $gt: '' },
  'a'.repeat(300),
];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

type Path = (string | number)[];

export function mutate(
  random: Random,
  event: string,
  valid: unknown,
  mutation: Mutation,
  options: { hugeStringBytes: number },
): FuzzPayload {
  const payload = (args: unknown[], withAck = true, ev = event): FuzzPayload => ({
    event: ev,
    mutation,
    args,
    withAck,
  });
  const copy = structuredClone(valid);
  switch (mutation) {
    case 'valid':
      return payload([copy]);
    case 'extraField': {
      const target = pickContainer(random, copy);
      if (target && !Array.isArray(target)) target[`extra${random.int(0, 99)}`] = random.pick(WRONG_VALUES);
      return payload([copy]);
    }
    case 'missingField': {
      const path = random.pick(
        pathsOf(copy)
          .filter((p) => p.length > 0)
          .concat([[]]),
      );
      return payload([path.length === 0 ? {} : deleteAt(copy, path)]);
    }
    case 'wrongType': {
      const paths = pathsOf(copy);
      const path = random.pick(paths);
      return payload([setAt(copy, path, random.pick(WRONG_VALUES))]);
    }
    case 'hugeString': {
      const paths = pathsOf(copy).filter((p) => p.length > 0);
      const big = random.pick(['x', '鹿', '😀']).repeat(random.int(1_000, options.hugeStringBytes) / 4);
      return payload([paths.length > 0 ? setAt(copy, random.pick(paths), big) : { big }]);
    }
    case 'deepNesting': {
      let nested: unknown = random.pick(['leaf', 1, null]);
      // Deeper than ~2,000 levels socket.io-client's own encoder overflows its stack (rawFrames.ts sends deeper).
      const levels = random.int(100, 1_500);
      for (let i = 0; i < levels; i++) nested = random.chance(0.5) ? [nested] : { a: nested };
      const paths = pathsOf(copy).filter((p) => p.length > 0);
      return payload([paths.length > 0 ? setAt(copy, random.pick(paths), nested) : nested]);
    }
    case 'unicode': {
      const paths = pathsOf(copy).filter((p) => p.length > 0);
      const odd = random.pick(ODD_STRINGS).repeat(random.int(1, 50));
      return payload([paths.length > 0 ? setAt(copy, random.pick(paths), odd) : odd]);
    }
    case 'prototypeKeys': {
      // JSON.parse makes `__proto__` an own key, as socket.io's parser does: the server sees it that way too.
      const key = random.pick(PROTO_KEYS);
      const extra = JSON.parse(`{"${key}": {"polluted": true, "role": "admin"}}`) as Record<string, unknown>;
      return payload([
        copy !== null && typeof copy === 'object' && !Array.isArray(copy) ? { ...copy, ...extra } : extra,
      ]);
    }
    case 'notAnObject':
      return payload(random.pick([[], [null], [42], ['room:join'], [[copy]], [true], [copy, copy, 'third']]));
    case 'binary':
      return payload([random.chance(0.5) ? Buffer.alloc(random.int(0, 4096), 0xff) : { data: Buffer.from('beacon') }]);
    case 'unknownEvent':
      return payload(
        [copy],
        true,
        random.pick(['room:explode', 'admin:grant', '', ' ', 'constructor', '__proto__', 'x'.repeat(500), 'ROOM:JOIN']),
      );
    case 'noAck':
      return payload([copy], false);
    case 'badAck':
      // The last argument is what socket.io would call: here it is data, not a function.
      return payload([copy, random.pick(['ack', 0, null, { ack: true }])], false);
  }
}

/** Every path into objects and arrays (depth-bounded), the root included. */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (prefix.length > 6 || value === null || typeof value !== 'object') return out;
  for (const [key, child] of Object.entries(value)) {
    pathsOf(child, [...prefix, Array.isArray(value) ? Number(key) : key], out);
  }
  return out;
}

function pickContainer(random: Random, value: unknown): Record<string, unknown> | undefined {
  const containers = pathsOf(value)
    .map((path) => getAt(value, path))
    .filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object');
  return containers.length > 0 ? random.pick(containers) : undefined;
}

function getAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node;
}

function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const parent = getAt(value, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1) as string | number] = replacement;
  return value;
}

function deleteAt(value: unknown, path: Path): unknown {
  const parent = getAt(value, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path.at(-1) as string | number;
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return value;
}
