import vue from '@vitejs/plugin-vue';
import { defaultClientConditions, defineConfig } from 'vite';

// Signaling serves HTTPS with its own CA by default; the dev proxy talks to it on loopback without
// verifying (it is this machine). Override with BEACON_DEV_SIGNALING, e.g. http://127.0.0.1:3000 with BEACON_TLS=off.
const SIGNALING = process.env.BEACON_DEV_SIGNALING ?? 'https://127.0.0.1:3000';
/**
 * `window.__beacon*` test hooks (src/testing/testHooks.ts): on unless BEACON_CONSOLE_TEST_HOOKS=off, because
 * the e2e tests and benches run the ordinary build. They read stats and state, and draw on the map only as the
 * drawing tool does: nothing a signed-in user could not do.
 */
const TEST_HOOKS = process.env.BEACON_CONSOLE_TEST_HOOKS !== 'off';

export default defineConfig({
  plugins: [vue()],
  // @beacon/protocol's TypeScript source (its `exports` give plain Node the compiled dist/ instead).
  resolve: { conditions: ['beacon-source', ...defaultClientConditions] },
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __BEACON_TEST_HOOKS__: JSON.stringify(TEST_HOOKS),
  },
  server: {
    proxy: {
      '/api': { target: SIGNALING, changeOrigin: true, secure: false },
      '/socket.io': { target: SIGNALING, ws: true, secure: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
});
