/** Township names for labels, fetched once per session (best effort). */
import type { TownshipView } from '@beacon/protocol';
import { shallowRef } from 'vue';
import { api } from './api.ts';
import { session } from './session.ts';

const byId = shallowRef<ReadonlyMap<string, TownshipView>>(new Map());
let requested = false;

export function useTownships(): typeof byId {
  if (!requested) {
    requested = true;
    api<TownshipView[]>('/townships', { token: session.token })
      .then((list) => {
        byId.value = new Map(list.map((t) => [t.id, t]));
      })
      .catch(() => {
        requested = false;
      });
  }
  return byId;
}

export function townshipLabel(
  townships: ReadonlyMap<string, TownshipView>,
  id: string | null,
  locale: string,
): string | null {
  if (!id) return null;
  const township = townships.get(id);
  if (!township) return id;
  return locale === 'en' ? township.nameEn : township.name;
}
