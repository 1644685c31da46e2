import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n/index.ts';
import { restoreSession } from './session.ts';
import { installTestHooks } from './testHooks.ts';
import './styles.css';
import './phones.css';

restoreSession();
installTestHooks();
createApp(App).use(i18n).mount('#app');
