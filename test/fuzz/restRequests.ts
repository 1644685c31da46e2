/**
 * One malformed REST request: a route's path with its parameters replaced by
 * known ids or tricks (../, %2e%2e, very long, NUL, bad percent-encoding), a
 * hostile query, a token of some kind, and a body that is malformed, of the
 * wrong content type, oversized or deeply nested.
 */
import type { IdPool } from './idPool.ts';
import type { Random } from './random.ts';
import type { Route } from './restRoutes.ts';
import { TOKEN_KINDS, type TokenKind } from './restTokens.ts';

export interface RestRequest {
  method: string;
  /** Sent as is (node's http.request does not normalise it as fetch's URL parser would). */
  path: string;
  tokenKind: TokenKind;
  contentType: string | null;
  body: Buffer | null;
  /** For the findings: what the body was. */
  bodyKind: string;
}

const PARAM_TRICKS = [
  '..',
  '../../../../etc/passwd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%252e%252e',
  '..%5c..%5cwindows',
  '%00',
  '%',
  '%zz',
  '%E9%B9%BF%E5%9F%8E',
  '%F0%9F%92%A5',
  '%ED%A0%80',
  'a'.repeat(5_000),
  '-1',
  '0',
  '1e309',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '%27%20OR%201%3D1--',
  '.',
];
const PATH_TRICKS = [
  '',
  '',
  '',
  '/',
  '/..',
  '/%2e%2e',
  '//',
  '/.%2e/',
  '%00',
  '/x'.repeat(2_000),
  '?',
  '#frag',
  ';a=b',
];
const QUERIES = [
  '',
  '',
  '?limit=-1',
  '?limit=99999999999',
  '?limit[]=1&limit[]=2',
  '?__proto__[admin]=1',
  '?constructor[prototype][x]=1',
  '?kinds=%00',
  '?filename=..%2F..%2Fetc%2Fpasswd&commit=1',
  `?q=${'%41'.repeat(3_000)}`,
  '?a[b][c][d][e][f][g][h][i][j][k]=1',
  '?day=9999-99-99',
];

const BODY_KINDS = {
  emptyObject: 8,
  randomJson: 16,
  invalidJson: 8,
  oversizedJson: 4,
  deepJson: 4,
  wrongType: 10,
  formTricks: 6,
  xml: 4,
  binary: 4,
  utf7: 3,
  nothing: 6,
} as const;

export function makeRequest(random: Random, route: Route, ids: IdPool): RestRequest {
  const path =
    route.path.replace(/:(\w+)/g, (_m, name: string) =>
      random.chance(0.6) ? encodeURIComponent(ids.pick(random, name) ?? 'x') : random.pick(PARAM_TRICKS),
    ) +
    random.pick(PATH_TRICKS) +
    random.pick(QUERIES);
  const tokenKind = random.weighted(TOKEN_KINDS);
  const withBody = route.method !== 'GET' && route.method !== 'DELETE' ? 0.95 : 0.1;
  if (!random.chance(withBody)) {
    return { method: route.method, path, tokenKind, contentType: null, body: null, bodyKind: 'none' };
  }
  const kind = random.weighted(BODY_KINDS);
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const [contentType, body] = ((): [string | null, Buffer | null] => {
    switch (kind) {
      case 'emptyObject':
        return ['application/json', json({})];
      case 'randomJson':
        return ['application/json', json(randomObject(random, ids))];
      case 'invalidJson':
        return [
          'application/json',
          Buffer.from(random.pick(['{', '{"a":', "{'a':1}", 'undefined', '\u0000', '[1,]', '{"a":NaN}'])),
        ];
      case 'oversizedJson':
        return ['application/json', json({ big: 'x'.repeat(random.int(100_001, 4_000_000)) })];
      case 'deepJson':
        return ['application/json', Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)];
      case 'wrongType':
        return [
          random.pick([
            'text/plain',
            'multipart/form-data; boundary=x',
            'image/png',
            'application/json-patch+json',
            '*/*',
            'application/json; charset=latin1',
          ]),
          json(randomObject(random, ids)),
        ];
      case 'formTricks':
        return [
          'application/x-www-form-urlencoded',
          Buffer.from(random.pick(['a[__proto__][b]=1', `${'a['.repeat(500)}=1`, 'a=1&a=2&a=3', '%%%'])),
        ];
      case 'xml':
        return ['application/xml', Buffer.from('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')];
      case 'binary':
        return ['application/octet-stream', Buffer.alloc(random.int(1, 70_000), random.int(0, 255))];
      case 'utf7':
        return ['application/json; charset=utf-7', Buffer.from('+AHsAfQ-')];
      case 'nothing':
        return [random.pick([null, 'application/json']), null];
    }
  })();
  return { method: route.method, path, tokenKind, contentType, body, bodyKind: kind };
}

const VALUES: unknown[] = [null, true, 0, -1, 1e308, '', '鹿城镇', 'x'.repeat(10_000), [], {}, [1, 'a'], { $ne: 1 }];

function randomObject(random: Random, ids: IdPool): Record<string, unknown> {
  const keys = [
    'id',
    'name',
    'roomId',
    'townshipId',
    'password',
    'username',
    'role',
    'title',
    'status',
    'area',
    'text',
    'headline',
    'colour',
    'level',
    'type',
    'kind',
    'enabled',
    'currentPassword',
    'newPassword',
    '__proto__',
    'constructor',
  ];
  const out: Record<string, unknown> = {};
  for (let i = random.int(0, 6); i > 0; i--) {
    const key = random.pick(keys);
    out[key] = /Id$|^id$/.test(key) && random.chance(0.5) ? ids.pick(random, key) : random.pick(VALUES);
  }
  return out;
}
