import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const SIGNALING = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [vue()],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    proxy: {
      '/api': { target: SIGNALING, changeOrigin: true },
      '/socket.io': { target: SIGNALING, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
});
