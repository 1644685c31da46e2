/** The conference of the page, provided to its components (they render `state` and call commands). */
import { type InjectionKey, inject, onBeforeUnmount, type Ref, watch } from 'vue';
import type { ConferenceSession } from './ConferenceSession.ts';
import type { PhoneDialer } from './PhoneDialer.ts';

export const CONFERENCE: InjectionKey<ConferenceSession> = Symbol('conference');
export const PHONE_DIALER: InjectionKey<PhoneDialer> = Symbol('phoneDialer');

export function useConference(): ConferenceSession {
  const conference = inject(CONFERENCE);
  if (!conference) throw new Error('useConference outside a conference page');
  return conference;
}

export function usePhoneDialer(): PhoneDialer {
  const dialer = inject(PHONE_DIALER);
  if (!dialer) throw new Error('usePhoneDialer outside a conference page');
  return dialer;
}

/**
 * Registers `element` as showing `consumerId` with the conference's view
 * tracker (layer by size, pause when hidden); re-registers when either changes.
 */
export function useConsumerView(
  element: Ref<HTMLElement | null>,
  consumerId: () => string | null | undefined,
  main: boolean,
): void {
  const conference = inject(CONFERENCE, null);
  let stop: (() => void) | null = null;
  watch(
    [element, consumerId],
    ([el, id]) => {
      stop?.();
      stop = el && id && conference ? conference.views.observe(el, id, main) : null;
    },
    { immediate: true, flush: 'post' },
  );
  onBeforeUnmount(() => stop?.());
}
