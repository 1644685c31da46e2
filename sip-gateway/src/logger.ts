/**
 * Logging in Beacon's one style: a pino root logger per process, a child per
 * component (`CallLeg`, `Kamailio`, `Mixer`, ...). Info is for lifecycle
 * transitions only (call answered, leg joined a room, Kamailio started); per
 * packet or per DTMF digit detail goes to debug.
 */
import { type Logger, pino } from 'pino';

export type { Logger };

const root = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'sip-gateway' },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export function createLogger(component: string): Logger {
  return root.child({ component });
}
