/** What the SMS outbox sends through, and what it reports back. */

export interface SmsSubmission {
  /** 11-digit mobile number. */
  to: string;
  text: string;
  /** Where the gateway reports delivery (Kannel's dlr-url, with its %d escape). */
  reportUrl: string;
}

export type SubmitResult =
  /** Taken by the gateway (`queued`: it has no SMSC connection right now and keeps the text). */
  | { ok: true; queued: boolean }
  /** Refused (`permanent`: retrying the same text cannot help) or not reachable. */
  | { ok: false; permanent: boolean; reason: string };

/** An SMS gateway (Kannel's sendsms; tests may give their own). */
export interface SmsGateway {
  submit(sms: SmsSubmission): Promise<SubmitResult>;
}

export interface SmsJob {
  recipientId: string;
  /** The recipient's attempt this job is (reports of other attempts are ignored). */
  attempt: number;
  submission: SmsSubmission;
}
