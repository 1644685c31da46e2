/**
 * The resources nearest to a point, by great-circle distance: @turf/distance
 * (haversine on the mean Earth radius, what the rest of the map's geometry
 * uses through turf). Good to a few metres over a city; travel time over a
 * road network is another question this does not answer.
 */
import type { LatLon, WithDistance } from '@beacon/protocol';
import { distance } from '@turf/distance';

/** Kilometres between two points, [lat, lon] as the protocol writes them (turf wants [lon, lat]). */
export function distanceKm(a: LatLon, b: LatLon): number {
  return distance([a[1], a[0]], [b[1], b[0]], { units: 'kilometers' });
}

/**
 * The `limit` places nearest to `origin`, nearest first, each with its
 * distance rounded to 10 m. Ties keep the given order (a stable sort), so a
 * list in name order stays in name order at equal distance.
 */
export function nearest<T extends { lat: number; lon: number }>(
  origin: LatLon,
  places: readonly T[],
  limit: number,
): WithDistance<T>[] {
  return places
    .map((place) => ({ ...place, distanceKm: Math.round(distanceKm(origin, [place.lat, place.lon]) * 100) / 100 }))
    .sort((a, b) => a.distanceKm - b.distanceKm)
    .slice(0, limit);
}
