/**
 * The command room's picture of incident responses: the state of each incident
 * opened in the panel, kept current by `checklist:updated` (an item ticked or
 * turned red) and `response:updated` (started, switched, tasks sent: reload).
 */
import type { ChecklistItemView, ResponseStateView } from '@beacon/protocol';
import { reactive } from 'vue';
import type { SignalingClient } from '../signaling/SignalingClient.ts';
import { plansApi, replaceItem } from './plansApi.ts';

export const responses = reactive<Record<string, ResponseStateView>>({});

export async function loadResponse(incidentId: string): Promise<void> {
  responses[incidentId] = await plansApi.response(incidentId);
}

function applyItem(item: ChecklistItemView): void {
  const state = responses[item.incidentId];
  if (!state) return;
  if (state.current && replaceItem(state.current.checklist, item)) return;
  for (const earlier of state.history) if (replaceItem(earlier.checklist, item)) return;
}

export function listenPlans(socket: SignalingClient['socket']): void {
  socket.on('checklist:updated', applyItem);
  socket.on('response:updated', ({ incidentId }) => {
    if (responses[incidentId]) void loadResponse(incidentId).catch(() => undefined);
  });
}

/** A warning to prefill the warning form with, handed from the response panel to the warnings tab. */
export const warningHandoff = reactive<{ prefill: ResponseStateView['warning'] }>({ prefill: null });
