/** Short-lived notices at the bottom of the screen. Messages are i18n keys. */
import { reactive, ref } from 'vue';

export interface Toast {
  id: number;
  key: string;
  params: Record<string, string>;
  tone: 'info' | 'warn' | 'error';
}

export const toasts = reactive<Toast[]>([]);

/** A one-off message for the next page (e.g. "removed by the chair" on the room list); an i18n key. */
export const flash = ref<string | null>(null);
let nextId = 1;

export function showToast(key: string, tone: Toast['tone'] = 'info', params: Record<string, string> = {}): void {
  // The same notice again (e.g. repeated recoveries) replaces the old one.
  const same = toasts.findIndex((t) => t.key === key && JSON.stringify(t.params) === JSON.stringify(params));
  if (same >= 0) toasts.splice(same, 1);
  const id = nextId++;
  toasts.push({ id, key, params, tone });
  if (toasts.length > 4) toasts.shift();
  setTimeout(() => dismissToast(id), tone === 'error' ? 8000 : 5000);
}

export function dismissToast(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}
