/**
 * Prometheus registry of one Beacon node. Gauges are read from counts at
 * scrape time (nothing to keep in sync) and carry no per-room labels: room
 * ids are unbounded and would blow up the series count.
 */
import type { MediaControl } from '@beacon/media-server';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { RoomRegistry } from './rooms/RoomRegistry.ts';

export function createMetricsRegistry(deps: { media: MediaControl; rooms: RoomRegistry }): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });

  gauge('beacon_rooms', 'Conference rooms with at least one participant', () => deps.rooms.counts().rooms);
  gauge('beacon_participants', 'Participants in conference rooms', () => deps.rooms.counts().participants);
  gauge('beacon_phone_participants', 'Desk phones in conference rooms (SIP gateway legs)', () => {
    let phones = 0;
    for (const room of deps.rooms.rooms()) {
      for (const p of room.participants()) if (p.device === 'phone') phones += 1;
    }
    return phones;
  });
  gauge('beacon_transports', 'WebRTC and plain transports', () => deps.media.counts().transports);
  gauge('beacon_producers', 'Media producers', () => deps.media.counts().producers);
  gauge('beacon_consumers', 'Media consumers', () => deps.media.counts().consumers);
  gauge('beacon_media_workers_alive', 'mediasoup workers alive', () => deps.media.counts().workersAlive);
  return registry;
}
