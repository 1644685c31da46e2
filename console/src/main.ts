// First: the tokens and primitives come before every component's own (scoped) styles.
import './theme.css';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n/index.ts';
import { router } from './router.ts';
import { restoreSession } from './session.ts';
import { installTestHooks } from './testing/testHooks.ts';

restoreSession();
// The e2e tests and benches read the page through window hooks; a build with
// BEACON_CONSOLE_TEST_HOOKS=off leaves them (and this import) out.
if (__BEACON_TEST_HOOKS__) installTestHooks();
createApp(App).use(i18n).use(router).mount('#app');
