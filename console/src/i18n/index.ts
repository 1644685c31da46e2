import { createI18n } from 'vue-i18n';
import commandMessages from '../command/messages.ts';
import terminalMessages from '../terminal/messages.ts';
import en from './en.ts';
import zhCN, { type Messages } from './zh-CN.ts';

export type Locale = 'zh-CN' | 'en';

const STORAGE_KEY = 'beacon.locale';

function storedLocale(): Locale {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
}

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: storedLocale(),
  fallbackLocale: 'zh-CN',
  // The command room and the terminal page keep their strings next to their code (keys `command.*`, `terminal.*`).
  messages: {
    'zh-CN': { ...zhCN, command: commandMessages.zh, terminal: terminalMessages.zh } as Messages,
    en: { ...en, command: commandMessages.en, terminal: terminalMessages.en } as Messages,
  },
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
