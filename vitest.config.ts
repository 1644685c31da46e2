import { defineConfig } from 'vitest/config';

/**
 * Tests run the TypeScript sources: the workspaces' `exports` send the `beacon-source` condition to
 * src/*.ts and everyone else (plain `node`, production) to the compiled dist/*.js. The condition
 * reaches every resolver a test goes through: Vite's (imports inside a test file), Node's in the worker
 * (require.resolve, e.g. where the SIP gateway's main is) and Node's in child processes a test spawns
 * (NODE_OPTIONS: `node --import tsx signaling/src/main.ts` started by test helpers).
 */
const SOURCE_CONDITION = 'beacon-source';
const nodeOptions = [process.env.NODE_OPTIONS, `--conditions=${SOURCE_CONDITION}`].filter(Boolean).join(' ');
const sources = {
  resolve: { conditions: [SOURCE_CONDITION] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION] } },
};
const sourceExecArgv = [`--conditions=${SOURCE_CONDITION}`];

// Two projects: `unit` (code tests next to the code, plus cross-service tests
// that start real servers and real mediasoup workers) and `e2e` (real Chromium).
export default defineConfig({
  test: {
    // Servers started by tests log warnings and errors only, unless asked.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', NODE_OPTIONS: nodeOptions },
    projects: [
      {
        ...sources,
        test: {
          name: 'unit',
          execArgv: sourceExecArgv,
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
        ...sources,
        test: {
          name: 'e2e',
          execArgv: sourceExecArgv,
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
