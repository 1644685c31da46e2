/**
 * Duty times are shown on the deployment's clock (the roster's time zone,
 * Asia/Shanghai by default), not the browser's: a shift is 08:30–17:30
 * Beijing time wherever the console is opened.
 */
import type { DutyPerson } from '@beacon/protocol';

/** `12-07 08:30` in `timeZone`. */
export function dutyClock(iso: string, timeZone: string, withDate = false): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(iso));
  const value = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const clock = `${value('hour')}:${value('minute')}`;
  return withDate ? `${value('month')}-${value('day')} ${clock}` : clock;
}

/** `张伟 13800000000` or just the name. */
export function personLabel(person: DutyPerson): string {
  return person.phone ? `${person.displayName} ${person.phone}` : person.displayName;
}
