/**
 * What a village loudspeaker says (Mandarin only: espeak-ng `cmn`). No "press 1":
 * nobody stands at a loudspeaker to acknowledge, it only broadcasts.
 */
import type { AlertForTerminal, WarningView } from '@beacon/protocol';
import { COLOUR_ZH } from '../command/AlertCalls.ts';

const sentence = (text: string) => (/[。！？.!?]$/.test(text) ? text : `${text}。`);

export function warningBroadcastText(
  alert: Pick<AlertForTerminal, 'event' | 'colour' | 'headline' | 'instruction' | 'notifyCount'>,
): string {
  const again = alert.notifyCount > 1 ? '再次广播。' : '';
  const parts = [`应急广播。${again}${alert.event}${COLOUR_ZH[alert.colour]}预警。`, sentence(alert.headline)];
  if (alert.instruction.trim()) parts.push(sentence(alert.instruction.trim()));
  return parts.join('');
}

/** The all-clear (预警解除) played when the warning is cancelled. */
export function allClearBroadcastText(warning: Pick<WarningView, 'event' | 'colour' | 'headline'>): string {
  return `应急广播。${warning.event}${COLOUR_ZH[warning.colour]}预警解除。${sentence(warning.headline)}`;
}
