/** Types of the townships' imported boundaries in the store. */
import type { BoundaryGeometry } from '@beacon/protocol';

export interface StoredBoundary {
  townshipId: string;
  /** GeoJSON, `[lon, lat]`, checked on import. */
  geometry: BoundaryGeometry;
  /** Geodesic area (km²), computed on import. */
  areaKm2: number;
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: [number, number, number, number];
  updatedAt: string;
}

export interface BoundaryRepository {
  /** Every stored boundary, in the townships' order. */
  list(): Promise<StoredBoundary[]>;
  /** Townships that have a boundary. */
  count(): Promise<number>;
  /**
   * Writes the boundaries (a township's new one replaces its old one) in one
   * transaction: all or nothing. Returns how many townships had one before and after.
   */
  put(boundaries: readonly Omit<StoredBoundary, 'updatedAt'>[], at: string): Promise<{ before: number; after: number }>;
  /** Forgets a township's boundary (it goes back to the seat-point rule); the removed one, if there was one. */
  remove(townshipId: string): Promise<StoredBoundary | undefined>;
}
