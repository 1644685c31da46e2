/**
 * Warnings from outside (预警信息接入): CAP 1.2 feed subscriptions an admin
 * configures (a URL serving one CAP alert, or an Atom/RSS index of them), and
 * where a warning drafted from a CAP message came from. Browser-safe: only zod.
 */
import { z } from 'zod';

export const CAP_FEED_MIN_POLL_SECONDS = 10;
export const CAP_FEED_MAX_POLL_SECONDS = 86_400;

const feedName = z.string().trim().min(1).max(100);
/** http(s) only: a feed is fetched by the server, never a file path or another scheme. */
const feedUrl = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((value) => /^https?:\/\//i.test(value), 'must be an http:// or https:// URL');
const pollSeconds = z.number().int().min(CAP_FEED_MIN_POLL_SECONDS).max(CAP_FEED_MAX_POLL_SECONDS);

export const createCapFeedSchema = z.object({
  name: feedName,
  url: feedUrl,
  /** How often the feed is fetched (default 300 s). */
  pollSeconds: pollSeconds.default(300),
});
export type CreateCapFeedRequest = z.infer<typeof createCapFeedSchema>;

export const updateCapFeedSchema = z
  .object({ name: feedName, url: feedUrl, pollSeconds })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
export type UpdateCapFeedRequest = z.infer<typeof updateCapFeedSchema>;

export interface CapFeedView {
  id: string;
  name: string;
  url: string;
  pollSeconds: number;
  enabled: boolean;
  createdAt: string;
  /** When the last fetch ended, whatever its result; null before the first. */
  lastPolledAt: string | null;
  /** When a fetch last succeeded. */
  lastOkAt: string | null;
  /** Why the last fetch was rejected (HTML, an XML bomb, a timeout…); null when it succeeded. */
  lastError: string | null;
}

/** What one fetch of a feed did (the answer of "poll now"). */
export interface CapFeedPollResult {
  feedId: string;
  ok: boolean;
  /** CAP messages read (the feed itself, or the index's entries fetched). */
  messages: number;
  /** Warnings drafted, updated or withdrawn. */
  drafted: number;
  updated: number;
  withdrawn: number;
  error: string | null;
}

/** CAP `<status>` and `<msgType>` of the message a warning was drafted or updated from. */
export const CAP_STATUS_VALUES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export type CapStatusValue = (typeof CAP_STATUS_VALUES)[number];
export const CAP_MSG_TYPE_VALUES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export type CapMsgTypeValue = (typeof CAP_MSG_TYPE_VALUES)[number];

/** Where a warning drafted from a CAP message came from; kept with the warning. */
export interface WarningSource {
  /** Uploaded by a duty officer, or read from a subscribed feed. */
  kind: 'file' | 'feed';
  feedId: string | null;
  /** The feed's name when the warning was drafted. */
  feedName: string | null;
  /** CAP `<sender>` and `<identifier>` of the latest message applied (the alert or its update). */
  sender: string;
  identifier: string;
  /** CAP `<sent>` of that message, ISO UTC. */
  sent: string;
  status: CapStatusValue;
  msgType: CapMsgTypeValue;
  /** `<senderName>` of the info shown (e.g. 中国气象局), else null. */
  senderName: string | null;
  /** `<language>` of the info shown (zh-CN first, then any zh, then en). */
  language: string;
  /** How many `<info>` blocks the message has (languages, or several events). */
  infoCount: number;
  web: string | null;
  contact: string | null;
  /** Set when a later CAP Cancel withdrew the warning: that message's identifier. */
  cancelledBy: string | null;
}

/** How a CAP message was handled; the import's answer when no warning was drafted or changed. */
export const CAP_OUTCOMES = [
  /** A new draft warning. */
  'drafted',
  /** An Update applied to the draft it references. */
  'updated',
  /** A Cancel withdrew the warning it references. */
  'withdrawn',
  /** The same sender + identifier is held already: nothing changed. */
  'held',
  /** Kept but no warning: Ack, Error, Test, System, or a Cancel/Update of nothing held. */
  'recorded',
] as const;
export type CapOutcome = (typeof CAP_OUTCOMES)[number];

/** POST /warnings/import when the message drafted or changed no warning (202). */
export interface CapRecorded {
  outcome: 'recorded';
  identifier: string;
  sender: string;
  status: CapStatusValue;
  msgType: CapMsgTypeValue;
  /** Why no warning: 'ack', 'error', 'test', 'system', 'nothing_referenced'. */
  reason: string;
}
