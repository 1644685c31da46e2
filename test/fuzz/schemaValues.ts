/**
 * Valid-looking values from a JSON Schema (the protocol's zod schemas through
 * `z.toJSONSchema`): the starting point every mutation (mutations.ts) bends.
 * Strings named like ids come from the ids the run has seen (idPool.ts), so a
 * good share of payloads reach the handlers rather than stop at validation.
 *
 * Written here rather than taken from json-schema-faker or zod-mock: those
 * make valid values only, know nothing of the live ids, and bring faker's
 * megabytes for what is a walk over a dozen keywords.
 */
import type { IdPool } from './idPool.ts';
import type { Random } from './random.ts';

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
};

export interface ValueContext {
  random: Random;
  ids: IdPool;
  /** The schema's root: `$ref`s point into its `$defs`. */
  root: JsonSchema;
}

const MAX_DEPTH = 8;
const WORDS = ['鹿城镇', 'flood', '暴雨', 'test', '山洪', 'alpha', '泥石流', 'beacon'];

export function validValue(schema: JsonSchema, ctx: ValueContext, name = '', depth = 0): unknown {
  const { random } = ctx;
  if (schema.$ref) return validValue(resolveRef(schema.$ref, ctx.root), ctx, name, depth + 1);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return random.pick(schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return validValue(random.pick(alternatives), ctx, name, depth + 1);
  if (schema.allOf) return validValue(Object.assign({}, ...schema.allOf) as JsonSchema, ctx, name, depth + 1);
  const type = Array.isArray(schema.type) ? random.pick(schema.type) : schema.type;
  switch (type) {
    case 'object':
      return objectValue(schema, ctx, depth);
    case 'array': {
      if (depth > MAX_DEPTH) return [];
      const min = schema.minItems ?? 0;
      const max = Math.min(schema.maxItems ?? min + 3, min + 3);
      if (schema.prefixItems) return schema.prefixItems.map((item) => validValue(item, ctx, name, depth + 1));
      const items = schema.items ?? {};
      return Array.from({ length: random.int(min, max) }, () => validValue(items, ctx, singular(name), depth + 1));
    }
    case 'string':
      return stringValue(schema, ctx, name);
    case 'integer':
    case 'number': {
      const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      const high = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1000);
      const lo = Math.max(low, -1e6);
      const hi = Math.min(high, 1e6);
      const n = lo + random.next() * Math.max(0, hi - lo);
      return type === 'integer' ? Math.round(Math.min(Math.max(n, Math.ceil(lo)), Math.floor(hi))) : n;
    }
    case 'boolean':
      return random.chance(0.5);
    case 'null':
      return null;
    default:
      // `{}` (unknown/any): something JSON.
      return random.pick([null, 1, 'x', true, {}, []]);
  }
}

function objectValue(schema: JsonSchema, ctx: ValueContext, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (required.has(key) || ctx.random.chance(0.5)) out[key] = validValue(property, ctx, key, depth + 1);
  }
  return out;
}

function stringValue(schema: JsonSchema, ctx: ValueContext, name: string): string {
  const { random } = ctx;
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 40;
  const fits = (s: string) => s.length >= min && s.length <= max && (!schema.pattern || safeTest(schema.pattern, s));
  if (/(^id$|Id$)/.test(name) || schema.pattern) {
    for (let i = 0; i < 5; i++) {
      const known = ctx.ids.pick(random, name);
      if (known !== undefined && fits(known)) return known;
    }
  }
  switch (schema.format) {
    case 'date-time':
      return new Date(Date.now() + random.int(-3600, 86_400) * 1000).toISOString();
    case 'date':
      return new Date().toISOString().slice(0, 10);
    case 'uuid':
      return crypto.randomUUID();
    case 'email':
      return 'fuzz@example.org';
  }
  for (let i = 0; i < 5; i++) {
    const word = random.chance(0.5) ? random.pick(WORDS) : `${random.pick(WORDS)}-${random.int(0, 999)}`;
    const s = word
      .toLowerCase()
      .padEnd(min, '0')
      .slice(0, Math.max(min, Math.min(max, word.length)));
    if (fits(s)) return s;
  }
  return 'a'.repeat(Math.max(min, 1)).slice(0, Math.max(max, 1));
}

function safeTest(pattern: string, s: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(s);
  } catch {
    return true;
  }
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  if (ref === '#') return root;
  const name = ref.replace(/^#\/\$defs\//, '');
  return root.$defs?.[name] ?? {};
}

function singular(name: string): string {
  return name.endsWith('Ids') ? name.slice(0, -1) : name;
}
