/**
 * What every command-room action shares: the audit trail, incident timeline
 * notes, and the typed events that socket/CommandEmitter.ts turns into
 * socket.io emits (this side does not know socket.io, like SipBridge).
 */
import { TypedEmitter } from '@beacon/common';
import type {
  AckBoardRow,
  AlertForTerminal,
  CameraView,
  IncidentView,
  LoudspeakerCallView,
  SmsRecipientView,
  StationStateView,
  TaskView,
  TerminalPresence,
  TimelineEntry,
  WarningView,
} from '@beacon/protocol';
import { type AuditLine, auditedChange } from '../audit/auditedChange.ts';
import type { AuthClaims } from '../auth/tokens.ts';
import type { NewTimelineEntry } from '../store/commandTypes.ts';
import type { Store, StoreRepositories } from '../store/index.ts';

/** Who acts: a signed-in account, or the server itself (escalation). */
export type Actor = Pick<AuthClaims, 'userId' | 'username' | 'displayName' | 'role' | 'townshipId' | 'departmentId'>;

export const SYSTEM_ACTOR: Actor = {
  userId: 'system',
  username: 'system',
  displayName: '系统 / system',
  role: 'service',
  townshipId: null,
};

export type CommandEvents = {
  /** Show the banner on these townships' and departments' terminals. */
  alert: [{ townshipIds: string[]; departmentIds: string[]; alert: AlertForTerminal }];
  warning: [WarningView];
  ack: [AckBoardRow];
  incident: [IncidentView];
  timeline: [TimelineEntry];
  task: [TaskView];
  presence: [TerminalPresence];
  /** Emergency meeting: these townships' and departments' terminals join `roomId` now. */
  invite: [{ townshipIds: string[]; departmentIds: string[]; roomId: string; title: string; by: string }];
  /** Video pull: the township's terminal starts (roomId) or stops (null) sending its camera. */
  pull: [{ townshipId: string; roomId: string | null }];
  /** An admin imported or removed township boundaries: the maps redraw. */
  boundaries: [{ count: number }];
  /** A monitoring station's level or offline flag changed. */
  station: [StationStateView];
  /** A warning's SMS recipient changed (queued, submitted, delivered, failed, acked by reply). */
  sms: [SmsRecipientView];
  /** A warning's loudspeaker call changed (calling, playing, played, failed). */
  loudspeaker: [LoudspeakerCallView];
  /** A GB/T 28181 camera channel went online or offline. */
  camera: [CameraView];
};

export class CommandBus extends TypedEmitter<CommandEvents> {
  readonly store: Store;

  constructor(store: Store) {
    super();
    this.store = store;
  }

  emit<K extends keyof CommandEvents & string>(event: K, ...args: CommandEvents[K]): void {
    this.safeEmit(event, ...args);
  }

  /** An entry that records no change of the store (one that does: `audited`). */
  audit(actor: Actor, action: string, target: string | null, detail?: Record<string, unknown>): Promise<void> {
    return this.store.audit.append({ actorId: actor.userId, role: actor.role, action, target, detail });
  }

  /**
   * Runs `change` on one transaction's repositories and appends the audit entry `entry` makes of its
   * result (null: nothing changed) in the same transaction: both are stored or neither. Emit after it resolves.
   */
  audited<T>(
    actor: Actor,
    change: (tx: StoreRepositories) => Promise<T>,
    entry: (result: T) => AuditLine | readonly AuditLine[] | null,
  ): Promise<T> {
    return auditedChange(this.store, { actorId: actor.userId, role: actor.role }, change, entry);
  }

  /** Appends to an incident's timeline and tells staff. */
  async note(actor: Actor, entry: Omit<NewTimelineEntry, 'actorId' | 'actorName'>): Promise<TimelineEntry> {
    const saved = await this.store.incidents.addTimeline({
      ...entry,
      actorId: actor.userId,
      actorName: actor.displayName,
    });
    this.safeEmit('timeline', saved);
    return saved;
  }
}
