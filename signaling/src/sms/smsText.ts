/**
 * The text of a warning SMS, and how many SMS parts it takes.
 *
 * Chinese needs UCS-2 (GSM 7-bit has no Han characters): one SMS carries 70
 * UTF-16 code units, and a concatenated one 67 per part (the 6-octet
 * concatenation header takes 3 characters' room). Kannel's bearerbox splits
 * on octets (134 per part), which is the same 67 code units, so the count
 * here is the count the phone receives.
 */
import { CN_MOBILE_PATTERN, type WarningView } from '@beacon/protocol';
import { COLOUR_ZH } from '../command/AlertCalls.ts';

export const UCS2_SINGLE = 70;
export const UCS2_PART = 67;

/** SMS parts a UCS-2 text takes (0 for an empty text). */
export function ucs2Parts(text: string): number {
  if (text.length === 0) return 0;
  return text.length <= UCS2_SINGLE ? 1 : Math.ceil(text.length / UCS2_PART);
}

export interface WarningSmsOptions {
  /** The sender's signature, shown as 【…】 first (Chinese carriers require one). */
  signature: string;
  /** The text stays within this many parts: the description is shortened to fit. */
  maxParts: number;
}

/** The reply that acknowledges, as the text tells the recipient. */
export const REPLY_HINT = '回复1或“收到”签收。';

/**
 * 【signature】[再次通知：]暴雨红色预警：headline。description instruction 回复1或“收到”签收。
 * The description is cut (with …) so the whole stays within `maxParts`; the
 * headline, instruction and reply hint are never cut.
 */
export function warningSmsText(
  warning: Pick<WarningView, 'event' | 'colour' | 'headline' | 'description' | 'instruction'>,
  notifyCount: number,
  opts: WarningSmsOptions,
): string {
  const head = `【${opts.signature}】${notifyCount > 1 ? '再次通知：' : ''}${warning.event}${COLOUR_ZH[warning.colour]}预警：${sentence(warning.headline)}`;
  const tail = `${warning.instruction ? sentence(warning.instruction) : ''}${REPLY_HINT}`;
  const budget = (opts.maxParts <= 1 ? UCS2_SINGLE : opts.maxParts * UCS2_PART) - head.length - tail.length;
  return `${head}${fit(sentence(warning.description), budget)}${tail}`;
}

/** The all-clear (预警解除) texted to those who got a warning when it is cancelled; no reply asked. */
export function allClearSmsText(
  warning: Pick<WarningView, 'event' | 'colour' | 'headline'>,
  opts: Pick<WarningSmsOptions, 'signature'>,
): string {
  return `【${opts.signature}】预警解除：${warning.event}${COLOUR_ZH[warning.colour]}预警已解除。${sentence(warning.headline)}`;
}

/** Ends a non-empty text with a full stop unless it ends with punctuation already. */
function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  return /[。！？!?.…；;]$/.test(trimmed) ? trimmed : `${trimmed}。`;
}

/** Cuts `text` to `budget` UTF-16 units with a trailing …, never through a surrogate pair. */
function fit(text: string, budget: number): string {
  if (text.length <= budget) return text;
  if (budget <= 1) return '';
  let out = '';
  for (const char of text) {
    if (out.length + char.length > budget - 1) break;
    out += char;
  }
  return `${out}…`;
}

/** 11-digit mainland mobile number from what people type (+86, 0086, spaces, dashes); null when it is none. */
export function normaliseMobile(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const digits = raw.replace(/[\s()-]/g, '').replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
  return CN_MOBILE_PATTERN.test(digits) ? digits : null;
}

/** 138****5678: enough for a log line to be followed, not enough to harvest numbers from logs. */
export function maskMobile(mobile: string): string {
  return mobile.length === 11 ? `${mobile.slice(0, 3)}****${mobile.slice(7)}` : '***';
}
