import { describe, expect, it } from 'vitest';
import { LoadStats } from './LoadStats.ts';

describe('load stats', () => {
  it('reports joins per second over the ramp, latency percentiles, failures by phase and code', () => {
    let now = 1_000;
    const stats = new LoadStats(() => now);
    for (let i = 1; i <= 20; i++) {
      stats.recordAttempt();
      now += 100;
      stats.recordJoined(i * 10);
      stats.recordMediaOpen(i);
    }
    stats.recordAttempt();
    stats.recordFailure('join', 'room_locked');
    stats.recordAttempt();
    stats.recordFailure('connect', 'unauthorized');
    stats.recordFailure('join', 'room_locked');
    stats.recordDisconnect('transport close');
    stats.recordLeft();
    stats.rtpPacketsSent = 500;

    expect(stats.summary()).toEqual({
      attempted: 22,
      joined: 20,
      // 20 joins between the first attempt (t=1000) and the last join (t=3000).
      joinsPerSecond: 10,
      joinP50Ms: 100,
      joinP95Ms: 190,
      mediaP50Ms: 10,
      mediaP95Ms: 19,
      failures: { 'join:room_locked': 2, 'connect:unauthorized': 1 },
      disconnects: { 'transport close': 1 },
      left: 1,
      rtpPacketsSent: 500,
      rtpSendErrors: 0,
    });
  });

  it('has no rate before anyone joined', () => {
    const stats = new LoadStats(() => 0);
    stats.recordAttempt();
    stats.recordFailure('token', 'timeout');
    expect(stats.summary()).toMatchObject({ joined: 0, joinsPerSecond: 0, failures: { 'token:timeout': 1 } });
  });
});
