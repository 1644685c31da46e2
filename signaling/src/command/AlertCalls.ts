/**
 * Alerts by phone: whenever a township is notified of a warning (issue, and
 * every escalation while it has not acknowledged), its registered desk phone
 * is also called by the SIP gateway, which reads the warning out (espeak-ng,
 * Chinese then English) and takes "press 1" as the acknowledgement (channel
 * `phone`). A township whose phone is not registered, or no gateway, is
 * simply not called: the terminal banner and escalation still run.
 */
import type { AlertCallRequest, AlertForTerminal, WarningColour } from '@beacon/protocol';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';
import type { Actor, CommandBus, CommandEvents } from './CommandBus.ts';
import type { WarningDesk } from './WarningDesk.ts';

const COLOUR_ZH: Record<WarningColour, string> = { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' };

/** What the phone hears. The English part stays generic: the headline is written in Chinese. */
export function alertCallText(alert: AlertForTerminal): { textZh: string; textEn: string } {
  const again = alert.notifyCount > 1 ? '再次通知。' : '';
  const parts = [`${again}${alert.event}${COLOUR_ZH[alert.colour]}预警。`, `${alert.headline}。`];
  if (alert.instruction) parts.push(`${alert.instruction}。`);
  parts.push('请按1签收。');
  return {
    textZh: parts.join(''),
    textEn: `Beacon early warning, level ${alert.colour}. Press 1 to acknowledge.`,
  };
}

export class AlertCalls {
  readonly #bus: CommandBus;
  readonly #bridge: SipBridge;
  readonly #store: Store;
  readonly #warnings: WarningDesk;
  readonly #onAlert = ({ townshipIds, alert }: CommandEvents['alert'][0]) => this.#call(townshipIds, alert);

  constructor(opts: { bus: CommandBus; bridge: SipBridge; store: Store; warnings: WarningDesk }) {
    this.#bus = opts.bus;
    this.#bridge = opts.bridge;
    this.#store = opts.store;
    this.#warnings = opts.warnings;
    this.#bus.on('alert', this.#onAlert);
  }

  /** The gateway says the phone pressed 1: an ack by that township, channel phone. */
  async ack(input: { warningId: string; townshipId: string; extension: string }) {
    const township = await this.#store.townships.get(input.townshipId);
    const actor: Actor = {
      userId: `phone:${input.extension}`,
      username: `phone:${input.extension}`,
      displayName: `${township?.name ?? input.townshipId}·${input.extension}`,
      role: 'township',
      townshipId: input.townshipId,
    };
    const before = (await this.#store.warnings.board(input.warningId)).find((r) => r.townshipId === input.townshipId);
    const row = await this.#warnings.ack(actor, input.warningId, 'phone');
    return { ackedAt: row.ackedAt as string, alreadyAcked: before?.ackedAt != null };
  }

  close(): void {
    this.#bus.off('alert', this.#onAlert);
  }

  #call(townshipIds: readonly string[], alert: AlertForTerminal): void {
    const registered = this.#bridge.status().registrations.filter((r) => r.registered && r.townshipId);
    for (const townshipId of townshipIds) {
      const phone = registered.find((r) => r.townshipId === townshipId);
      if (!phone) continue;
      const request: AlertCallRequest = {
        warningId: alert.warningId,
        townshipId,
        extension: phone.extension,
        ...alertCallText(alert),
      };
      this.#bridge.alertCall(request);
    }
  }
}
