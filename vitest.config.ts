import { defineConfig } from 'vitest/config';

// Two projects: `unit` (code tests next to the code, plus cross-service tests
// that start real servers and real mediasoup workers) and `e2e` (real Chromium).
export default defineConfig({
  test: {
    // Servers started by tests log warnings and errors only, unless asked.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'media-server/src/**/*.test.ts',
            'signaling/src/**/*.test.ts',
            'sip-gateway/src/**/*.test.ts',
            'console/src/**/*.test.ts',
            'test/integration/**/*.test.ts',
            'test/load/**/*.test.ts',
            'test/soak/**/*.test.ts',
          ],
          // Real-time recording through ffmpeg checks wall-clock durations: it runs
          // with the serial e2e project, not beside other files competing for 2 cores.
          exclude: ['media-server/src/Recorder.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // mediasoup workers per test file: keep the two cores from thrashing.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'media-server/src/Recorder.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
