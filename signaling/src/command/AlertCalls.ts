/**
 * Alerts by phone: whenever a township or department is notified of a warning
 * (issue, and every escalation while it has not acknowledged), its registered
 * desk phone is also called by the SIP gateway, which reads the warning out
 * (espeak-ng, Chinese then English) and takes "press 1" as the acknowledgement
 * (channel `phone`). A unit whose phone is not registered, or no gateway, is
 * simply not called: the terminal banner and escalation still run. A
 * department's call names no township: its ack is known by the extension.
 */
import type { Addressee, AlertCallRequest, AlertForTerminal, DialState, WarningColour } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import { registeredDepartmentPhone, registeredExtensions } from '../sip/departmentPhones.ts';
import { phoneIdentity } from '../sip/phoneIdentity.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';
import type { Actor, CommandBus, CommandEvents } from './CommandBus.ts';
import type { WarningDesk } from './WarningDesk.ts';

const logger = createLogger('AlertCalls');
export const COLOUR_ZH: Record<WarningColour, string> = { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' };

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
  readonly #onAlert = ({ townshipIds, departmentIds, alert }: CommandEvents['alert'][0]) => {
    this.#call(townshipIds, alert);
    if (departmentIds.length > 0) void this.#callDepartments(departmentIds, alert);
  };

  constructor(opts: { bus: CommandBus; bridge: SipBridge; store: Store; warnings: WarningDesk }) {
    this.#bus = opts.bus;
    this.#bridge = opts.bridge;
    this.#store = opts.store;
    this.#warnings = opts.warnings;
    this.#bus.on('alert', this.#onAlert);
  }

  /** The gateway says the phone pressed 1: an ack by that township (or the phone's department), channel phone. */
  async ack(input: { warningId: string; townshipId: string | null; extension: string }) {
    const actor =
      input.townshipId !== null
        ? await this.#townshipPhone({ ...input, townshipId: input.townshipId })
        : await this.#departmentPhone(input.extension);
    const before = (await this.#store.warnings.board(input.warningId)).find((r) =>
      actor.role === 'township' ? r.townshipId === actor.townshipId : r.departmentId === actor.departmentId,
    );
    const row = await this.#warnings.ack(actor, input.warningId, 'phone');
    return { ackedAt: row.ackedAt as string, alreadyAcked: before?.ackedAt != null };
  }

  /** How far an alert call got (dialling, ringing, answered, ended, failed…): kept on the line for the board. */
  async progress(input: { warningId: string; townshipId: string | null; extension: string; state: DialState }) {
    const departmentId =
      input.townshipId === null ? (await phoneIdentity(this.#store, input.extension, null)).departmentId : null;
    const to: Addressee | null =
      input.townshipId !== null
        ? { kind: 'township', id: input.townshipId }
        : departmentId
          ? { kind: 'department', id: departmentId }
          : null;
    if (!to) return;
    const row = await this.#store.warnings.phoneProgress(input.warningId, to, input.state, new Date().toISOString());
    if (row) this.#bus.emit('ack', row);
  }

  async #townshipPhone(input: { townshipId: string; extension: string }): Promise<Actor> {
    const township = await this.#store.townships.get(input.townshipId);
    return {
      userId: `phone:${input.extension}`,
      username: `phone:${input.extension}`,
      displayName: `${township?.name ?? input.townshipId}·${input.extension}`,
      role: 'township',
      townshipId: input.townshipId,
    };
  }

  /** A call that named no township: the extension must be a department's desk phone (else `forbidden`). */
  async #departmentPhone(extension: string): Promise<Actor> {
    const who = await phoneIdentity(this.#store, extension, null);
    if (!who.departmentId) throw BeaconError.forbidden(`extension ${extension} is no department's phone`);
    return {
      userId: `phone:${extension}`,
      username: `phone:${extension}`,
      displayName: who.displayName,
      role: 'department',
      townshipId: null,
      departmentId: who.departmentId,
    };
  }

  /** Each department's registered desk phones (its SIP phones in the store that the gateway reports registered). */
  async #callDepartments(departmentIds: readonly string[], alert: AlertForTerminal): Promise<void> {
    const registered = registeredExtensions(this.#bridge);
    try {
      for (const departmentId of departmentIds) {
        const extension = await registeredDepartmentPhone(this.#store, registered, departmentId);
        if (!extension) continue;
        this.#bridge.alertCall({
          warningId: alert.warningId,
          townshipId: null,
          extension,
          ...alertCallText(alert),
        });
      }
    } catch (err) {
      // The banner and escalation still reach the department; the next notification calls again.
      logger.warn({ err, warningId: alert.warningId }, 'department alert calls not placed');
    }
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
