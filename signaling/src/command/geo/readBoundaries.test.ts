import { BeaconError, BOUNDARY_LIMITS, type BoundaryIssueCode } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { readBoundaries } from './readBoundaries.ts';
import { FIXTURE } from './testdata/fixture.ts';

const square = (lon: number, lat: number, d = 0.01): number[][] => [
  [lon, lat],
  [lon + d, lat],
  [lon + d, lat + d],
  [lon, lat + d],
  [lon, lat],
];
const polygonAt = (lon: number, lat: number) => ({ type: 'Polygon', coordinates: [square(lon, lat)] });
const collection = (...geometries: unknown[]): string =>
  JSON.stringify({
    type: 'FeatureCollection',
    features: geometries.map((geometry, i) => ({ type: 'Feature', properties: { name: `t${i}` }, geometry })),
  });

function fileRefusal(text: string): { code: string; field: string | undefined; message: string } {
  try {
    readBoundaries(text);
  } catch (error) {
    expect(error).toBeInstanceOf(BeaconError);
    const { code, field, message } = error as BeaconError;
    return { code, field, message };
  }
  throw new Error('the file was accepted');
}

describe('readBoundaries', () => {
  it('reads the three-township fixture: polygons, a multipolygon with a hole, geodesic areas', () => {
    const read = readBoundaries(FIXTURE);
    expect(read.issues).toEqual([]);
    expect(read.featureCount).toBe(3);
    expect(read.boundaries.map((b) => [b.properties.name, b.geometry.type])).toEqual([
      ['紫溪镇', 'Polygon'],
      ['鹿城镇', 'Polygon'],
      ['东瓜镇', 'MultiPolygon'],
    ]);
    // 0.12° × 0.14° at 25°N: 0.12 × 111.32 × cos 25° ≈ 12.1 km by 0.14 × 110.6 ≈ 15.5 km.
    const zixi = read.boundaries[0];
    expect(zixi?.areaKm2).toBeGreaterThan(185);
    expect(zixi?.areaKm2).toBeLessThan(190);
    expect(zixi?.bbox).toEqual([101.36, 24.94, 101.48, 25.08]);
    // 东瓜镇: the main part less its hole plus the exclave (0.0108 − 0.0002 + 0.0004 square degrees).
    const donggua = read.boundaries[2];
    const squareDegreeKm2 = (zixi?.areaKm2 ?? 0) / (0.12 * 0.14);
    expect((donggua?.areaKm2 ?? 0) / squareDegreeKm2).toBeCloseTo(0.011, 4);
  });

  it.each([
    ['not JSON', '{"type": "FeatureCollection", "features": [', 'not_json', 'body'],
    ['JSON but not GeoJSON', '[1, 2, 3]', 'not_feature_collection', 'type'],
    ['a single Feature', JSON.stringify({ type: 'Feature', geometry: null }), 'not_feature_collection', 'type'],
    [
      'features not a list',
      JSON.stringify({ type: 'FeatureCollection', features: {} }),
      'not_feature_collection',
      'features',
    ],
    [
      'a projected CRS',
      JSON.stringify({
        type: 'FeatureCollection',
        crs: { type: 'name', properties: { name: 'EPSG:3857' } },
        features: [],
      }),
      'unsupported_crs',
      'crs',
    ],
  ])('refuses %s as a whole file: boundary_invalid naming the field', (_name, text, issue, field) => {
    const refusal = fileRefusal(text);
    expect(refusal.code).toBe('boundary_invalid');
    expect(refusal.field).toBe(field);
    expect(refusal.message).toContain(field);
    expect(issue).toBeTruthy();
  });

  it('refuses an oversized file and one with too many features before looking at any feature', () => {
    const big = `${collection(polygonAt(101, 25))}${' '.repeat(BOUNDARY_LIMITS.maxBytes)}`;
    expect(fileRefusal(big)).toMatchObject({ code: 'boundary_invalid', field: 'body' });
    expect(fileRefusal(big).message).toMatch(/文件过大/);
    const many = collection(...Array.from({ length: BOUNDARY_LIMITS.maxFeatures + 1 }, () => null));
    expect(fileRefusal(many)).toMatchObject({ code: 'boundary_invalid', field: 'features' });
  });

  it.each<[string, unknown, BoundaryIssueCode, string]>([
    ['a Point', { type: 'Point', coordinates: [101.5, 25] }, 'not_polygon', 'features[1].geometry.type'],
    [
      'a LineString',
      {
        type: 'LineString',
        coordinates: [
          [101.5, 25],
          [101.6, 25],
        ],
      },
      'not_polygon',
      'features[1].geometry.type',
    ],
    ['no geometry', null, 'not_polygon', 'features[1].geometry.type'],
    [
      'a position that is not numbers',
      { type: 'Polygon', coordinates: [[[101.5, '25'], ...square(101, 25).slice(1)]] },
      'bad_coordinates',
      'features[1].geometry.coordinates[0][0][1]',
    ],
    [
      'an unclosed ring',
      {
        type: 'Polygon',
        coordinates: [
          square(101.5, 25)
            .slice(0, 4)
            .concat([[101.5, 25.005]]),
        ],
      },
      'ring_not_closed',
      'features[1].geometry.coordinates[0]',
    ],
    [
      'a ring of three positions',
      {
        type: 'Polygon',
        coordinates: [
          [
            [101.5, 25],
            [101.6, 25],
            [101.5, 25],
          ],
        ],
      },
      'ring_too_short',
      'features[1].geometry.coordinates[0]',
    ],
    [
      'a bow tie (a ring that crosses itself)',
      {
        type: 'Polygon',
        coordinates: [
          [
            [101.5, 25],
            [101.6, 25.1],
            [101.6, 25],
            [101.5, 25.1],
            [101.5, 25],
          ],
        ],
      },
      'ring_self_intersects',
      'features[1].geometry.coordinates[0]',
    ],
    [
      '[lat, lon] instead of [lon, lat]',
      { type: 'Polygon', coordinates: [square(101.5, 25).map(([lon, lat]) => [lat, lon])] },
      'coordinate_out_of_range',
      'features[1].geometry.coordinates[0][0]',
    ],
    [
      'web-mercator metres',
      { type: 'Polygon', coordinates: [square(11_300_000, 2_880_000, 1000)] },
      'coordinate_out_of_range',
      'features[1].geometry.coordinates[0][0]',
    ],
    [
      'a bad ring in the second part of a MultiPolygon',
      { type: 'MultiPolygon', coordinates: [[square(101, 25)], [square(101.2, 25).slice(0, 4)]] },
      'ring_not_closed',
      'features[1].geometry.coordinates[1][0]',
    ],
    [
      'a flat ring',
      {
        type: 'Polygon',
        coordinates: [
          [
            [101.5, 25],
            [101.6, 25],
            [101.7, 25],
            [101.5, 25],
          ],
        ],
      },
      'zero_area',
      'features[1].geometry',
    ],
  ])('reports %s as an issue of that feature, naming the field', (_name, geometry, code, field) => {
    const read = readBoundaries(collection(polygonAt(101, 25), geometry, polygonAt(101.1, 25)));
    expect(read.issues).toEqual([{ code, index: 1, field, message: expect.stringContaining(field) }]);
    // The good features around it are still read (the dry run lists them); the import writes nothing.
    expect(read.boundaries.map((b) => b.index)).toEqual([0, 2]);
  });

  it('refuses an element of features that is not a Feature', () => {
    const text = JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Polygon', coordinates: [] }] });
    expect(readBoundaries(text).issues).toMatchObject([{ code: 'not_feature', index: 0, field: 'features[0].type' }]);
  });

  it('drops an altitude and keeps [lon, lat]', () => {
    const withAltitude = square(101, 25).map(([lon, lat]) => [lon, lat, 1850]);
    const read = readBoundaries(collection({ type: 'Polygon', coordinates: [withAltitude] }));
    expect(read.issues).toEqual([]);
    expect(read.boundaries[0]?.geometry.coordinates[0]?.[0]).toEqual([101, 25]);
  });
});
