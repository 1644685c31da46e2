/// <reference types="vite/client" />

/** Install the window test hooks (vite.config.ts `define`). */
declare const __BEACON_TEST_HOOKS__: boolean;

declare module '*.vue' {
  import type { DefineComponent } from 'vue';

  const component: DefineComponent<object, object, unknown>;
  export default component;
}
