/**
 * Submits texts to smsbox's sendsms interface (HTTP GET on loopback): UCS-2
 * (coding=2) from UTF-8, every delivery report asked for (delivered, failed,
 * taken by the SMSC, refused by it) at a URL of Beacon's.
 *
 *   202 "0: Accepted for delivery"      → accepted
 *   202 "3: Queued for later delivery"  → accepted (no SMSC connected yet: bearerbox keeps it)
 *   4xx                                 → refused for good (bad number, too long…): no retry
 *   503, no answer, timeout             → failed for now: retry
 */
import type { SmsGateway, SmsSubmission, SubmitResult } from '../SmsOutboxTypes.ts';

/** Kannel's dlr-mask bits: 1 delivered, 2 not delivered, 8 taken by the SMSC, 16 refused by the SMSC. */
const DLR_MASK = 1 + 2 + 8 + 16;

export interface KannelClientOptions {
  sendsmsPort: number;
  password: string;
  /** Default 10_000. */
  timeoutMs?: number;
}

export class KannelClient implements SmsGateway {
  readonly #opts: KannelClientOptions;

  constructor(opts: KannelClientOptions) {
    this.#opts = opts;
  }

  async submit(sms: SmsSubmission): Promise<SubmitResult> {
    const query = new URLSearchParams({
      username: 'beacon',
      password: this.#opts.password,
      to: sms.to,
      text: sms.text,
      coding: '2',
      charset: 'UTF-8',
      // No report URL: a text whose delivery nobody tracks (a meeting notice: its answer is the receipt).
      ...(sms.reportUrl ? { 'dlr-mask': String(DLR_MASK), 'dlr-url': sms.reportUrl } : {}),
    });
    const url = `http://127.0.0.1:${this.#opts.sendsmsPort}/cgi-bin/sendsms?${query.toString()}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 10_000) });
    } catch (err) {
      return { ok: false, permanent: false, reason: `kannel unreachable: ${(err as Error).message}` };
    }
    const body = (await res.text().catch(() => '')).trim().slice(0, 200);
    if (res.status >= 200 && res.status < 300) return { ok: true, queued: body.startsWith('3:') };
    return { ok: false, permanent: res.status >= 400 && res.status < 500, reason: `kannel ${res.status}: ${body}` };
  }
}
