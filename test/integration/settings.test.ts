/** GET /api/v1/settings: what the console cannot know by itself (the optional online map layer). */
import { describe, expect, it } from 'vitest';
import { api, login, useTestNode } from './helpers.ts';

const TILES = 'https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}';

describe('client settings', () => {
  const withTiles = useTestNode({ env: { BEACON_MAP_TILE_URL: TILES, BEACON_MAP_TILE_ATTRIBUTION: '天地图' } });

  it('hands the configured tile layer to signed-in users only', async () => {
    const token = await login(withTiles.url, 'duty');
    const res = await api(withTiles.url, token, '/api/v1/settings');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ map: { tileUrl: TILES, tileAttribution: '天地图' } });
    expect((await fetch(`${withTiles.url}/api/v1/settings`)).status).toBe(401);
  });
});

describe('client settings without a tile layer', () => {
  const offline = useTestNode();

  it('says there is none: the console keeps its bundled offline basemap', async () => {
    const res = await api(offline.url, await login(offline.url, 'lucheng'), '/api/v1/settings');
    expect(await res.json()).toEqual({ map: { tileUrl: null, tileAttribution: null } });
  });
});
