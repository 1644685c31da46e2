/** Store types of warnings from outside: CAP feed subscriptions and the CAP messages received. */
import type {
  CapFeedView,
  CapMsgTypeValue,
  CapStatusValue,
  CreateCapFeedRequest,
  UpdateCapFeedRequest,
} from '@beacon/protocol';
import type { AdminKind } from './orgTypes.ts';

/** One CAP message as received: the original text and the structure Beacon read from it. */
export interface CapMessageRecord {
  id: string;
  sender: string;
  identifier: string;
  /** `<sent>` as ISO UTC. */
  sent: string;
  status: CapStatusValue;
  msgType: CapMsgTypeValue;
  xml: string;
  /** The parsed alert (capSchema.ts), as JSON. */
  alert: unknown;
  feedId: string | null;
  /** The warning the message drafted, updated or withdrew; null when it was only recorded. */
  warningId: string | null;
  outcome: 'drafted' | 'updated' | 'withdrawn' | 'recorded';
  receivedAt: string;
}

export interface CapMessageRepository {
  /** `conflict` when the same sender + identifier is held already (another node was quicker). */
  add(message: CapMessageRecord): Promise<CapMessageRecord>;
  find(sender: string, identifier: string): Promise<CapMessageRecord | undefined>;
  /** What handling the message did, once done (it is added first: the unique key is the lock). */
  settle(id: string, outcome: CapMessageRecord['outcome'], warningId: string | null): Promise<void>;
  /** Drops a message whose handling failed, so that it is tried again. */
  remove(id: string): Promise<void>;
  /** The messages that drafted or changed a warning, newest `sent` first. */
  listByWarning(warningId: string): Promise<CapMessageRecord[]>;
}

export interface CapFeedRepository extends AdminKind<CapFeedView, UpdateCapFeedRequest> {
  /** `conflict` (field `url`) when the URL is subscribed already. */
  create(input: CreateCapFeedRequest & { id: string }): Promise<CapFeedView>;
  listEnabled(): Promise<CapFeedView[]>;
  /** After a fetch: when, and why it was rejected (null: it succeeded). */
  recordPoll(id: string, at: string, error: string | null): Promise<void>;
}
