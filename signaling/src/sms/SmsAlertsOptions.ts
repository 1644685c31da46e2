/** Options of SmsAlerts (the warnings' SMS channel), with their defaults. */
import type { NumberRateOptions } from './NumberRateLimiter.ts';

export interface SmsAlertsOptions {
  /** The 【signature】 every text starts with (config BEACON_SMS_SIGNATURE; default 应急预警). */
  signature: string;
  /** A text takes at most this many SMS parts (config BEACON_SMS_MAX_PARTS; default 5). */
  maxParts: number;
  /** Retries after a refused or undelivered text, per notification (config BEACON_SMS_RETRIES; default 2). */
  retries: number;
  /** First retry after this; each next one waits twice as long (default 30 s). */
  retryDelayMs: number;
  /**
   * Texts per recipient and warning: the first and the escalations (every escalationMinutes of the
   * warning while the recipient has not replied) (config BEACON_SMS_MAX_NOTIFY; default 3).
   */
  maxNotify: number;
  /** How often escalation looks for recipients to text again (config BEACON_ESCALATION_TICK_MS; default 15 s). */
  escalationTickMs: number;
  /** Texts per number (config BEACON_SMS_RATE_PER_NUMBER; default 20 an hour, 5 at once). */
  perNumber: NumberRateOptions;
}

export const DEFAULT_SMS_ALERTS_OPTIONS: SmsAlertsOptions = {
  signature: '应急预警',
  maxParts: 5,
  retries: 2,
  retryDelayMs: 30_000,
  maxNotify: 3,
  escalationTickMs: 15_000,
  perNumber: { perHour: 20, burst: 5 },
};
