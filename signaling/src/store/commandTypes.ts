/** Repositories of the command room (指挥大屏): incidents, warnings with their ack boards, tasks. */
import type {
  AckBoardRow,
  AckChannel,
  Addressee,
  DialState,
  IncidentStatus,
  IncidentView,
  TaskView,
  TimelineEntry,
  TimelineKind,
  WarningSource,
  WarningView,
} from '@beacon/protocol';

export interface IncidentFilter {
  status?: IncidentStatus | undefined;
  type?: string | undefined;
  level?: string | undefined;
  /** Only incidents that involve this department. */
  departmentId?: string | undefined;
}

export interface NewTimelineEntry {
  incidentId: string;
  actorId: string;
  actorName: string;
  kind: TimelineKind;
  text: string;
  data?: Record<string, unknown> | null;
  /** JPEG bytes (kind 'snapshot'). */
  snapshot?: Buffer;
}

export interface IncidentRepository {
  /** Throws BeaconError 'bad_request' for an unknown township. */
  create(incident: IncidentView): Promise<IncidentView>;
  get(id: string): Promise<IncidentView | undefined>;
  /** Newest first. */
  list(filter?: IncidentFilter): Promise<IncidentView[]>;
  setStatus(id: string, status: IncidentStatus, at: string): Promise<void>;
  /** Replaces the departments involved. Throws BeaconError 'bad_request' for an unknown department. */
  setDepartments(id: string, departmentIds: readonly string[], at: string): Promise<void>;
  addTimeline(entry: NewTimelineEntry): Promise<TimelineEntry>;
  /** Oldest first. */
  timeline(incidentId: string): Promise<TimelineEntry[]>;
  snapshot(incidentId: string, entryId: number): Promise<Buffer | undefined>;
}

export interface AckInput {
  by: string;
  byName: string;
  channel: AckChannel;
  at: string;
}

/** What a draft's content is: every field a CAP Update or the duty officer may change. */
export type WarningContent = Omit<
  WarningView,
  'id' | 'identifier' | 'sender' | 'status' | 'createdAt' | 'createdBy' | 'issuedAt' | 'issuedBy' | 'source'
>;

export interface WarningRepository {
  /** Throws BeaconError 'bad_request' on a duplicate CAP identifier or an unknown incident. */
  create(warning: WarningView): Promise<WarningView>;
  get(id: string): Promise<WarningView | undefined>;
  /** By CAP identifier (unique among warnings). */
  findByIdentifier(identifier: string): Promise<WarningView | undefined>;
  /** Newest first. */
  list(): Promise<WarningView[]>;
  /**
   * Marks the draft issued and creates one delivery row per affected township and
   * per department addressed, in one transaction. Returns the new board.
   */
  issue(id: string, by: string, at: string): Promise<AckBoardRow[]>;
  cancel(id: string): Promise<void>;
  /**
   * Rewrites a draft's content (a CAP Update, what the duty officer supplied); returns it, or
   * `invalid_transition` when it is no longer a draft. Not id, status, creation or issue fields.
   */
  updateDraft(id: string, content: WarningContent): Promise<WarningView>;
  /** Replaces where the warning came from (a CAP Update or Cancel applied to it). */
  setSource(id: string, source: WarningSource): Promise<void>;
  /** The ack board: one row per township and department the warning was issued to. */
  board(warningId: string): Promise<AckBoardRow[]>;
  delivery(warningId: string, to: Addressee): Promise<AckBoardRow | undefined>;
  /** Sets delivered_at when still null; returns the row and whether it changed. */
  markDelivered(
    warningId: string,
    to: Addressee,
    at: string,
  ): Promise<{ row: AckBoardRow; changed: boolean } | undefined>;
  /**
   * Stores the first ack (committed when the promise resolves); a second ack leaves the
   * stored row unchanged and returns it with `changed: false`.
   */
  ack(warningId: string, to: Addressee, input: AckInput): Promise<{ row: AckBoardRow; changed: boolean } | undefined>;
  /** Issued, unexpired warnings whose delivery to the township or department is not acked yet. */
  pendingFor(to: Addressee, now: string): Promise<{ warning: WarningView; row: AckBoardRow }[]>;
  /** Every unacked delivery of an issued, unexpired warning with escalation on. */
  unackedEscalating(now: string): Promise<{ warning: WarningView; row: AckBoardRow }[]>;
  /**
   * notify_count + 1, last_notified_at = at — only if the delivery is still
   * unacked and was last notified at `previous` (compare-and-set): with
   * several signaling nodes each running escalation, exactly one of them
   * re-notifies. Undefined when another node (or an ack) came first.
   */
  renotify(warningId: string, to: Addressee, at: string, previous: string): Promise<AckBoardRow | undefined>;
  /**
   * The desk phone's alert call moved on (dialling, ringing, answered, ended, failed…): kept for the
   * board's phone column, with the first answer's time. Undefined for a line the warning does not have.
   */
  phoneProgress(warningId: string, to: Addressee, state: DialState, at: string): Promise<AckBoardRow | undefined>;
}

export interface TaskRepository {
  /** All in one transaction. Throws BeaconError 'bad_request' for an unknown township or incident. */
  createBatch(tasks: Omit<TaskView, 'overdue'>[]): Promise<TaskView[]>;
  get(id: string, now?: Date): Promise<TaskView | undefined>;
  /** Oldest first. */
  list(
    filter?: { incidentId?: string | undefined; townshipId?: string | undefined; departmentId?: string | undefined },
    now?: Date,
  ): Promise<TaskView[]>;
  /** sent → acknowledged (other states: unchanged). */
  ack(id: string, at: string): Promise<TaskView>;
  /** → done, with a note. */
  done(id: string, note: string, at: string): Promise<TaskView>;
}
