import { createI18n } from 'vue-i18n';
import { en, type Locale, type Messages, zhCN } from './messages.ts';

export type { Locale } from './messages.ts';

const STORAGE_KEY = 'beacon.locale';

function storedLocale(): Locale {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
}

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: storedLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
});

document.documentElement.lang = i18n.global.locale.value;

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
}

export function toggleLocale(): void {
  setLocale(i18n.global.locale.value === 'zh-CN' ? 'en' : 'zh-CN');
}
