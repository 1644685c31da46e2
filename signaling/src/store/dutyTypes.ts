/** Repositories of duty (值班值守): the roster, the duty log, shift handovers. */
import type {
  DutyLogCategory,
  DutyLogEntry,
  DutyPerson,
  HandoverContents,
  HandoverView,
  RosterEntryView,
} from '@beacon/protocol';
import type { Change } from './orgTypes.ts';

/** One roster slot as written: a day (in the deployment's zone), a shift key, the people. */
export interface RosterSlot {
  day: string;
  shift: string;
  leaderId: string | null;
  /** In the order they are listed; no repeats. */
  officerIds: string[];
}

export interface DutyRosterRepository {
  /** Filled slots of a `YYYY-MM` month, by day and shift key. */
  month(month: string): Promise<RosterEntryView[]>;
  get(day: string, shift: string): Promise<RosterEntryView | undefined>;
  /**
   * Writes one slot (no leader and no officers clears it); returns it before and after
   * (null: empty). `bad_request` for an unknown user.
   */
  set(slot: RosterSlot, by: string): Promise<Change<RosterEntryView | null>>;
  /** Replaces every slot of the month by these, in one transaction; returns how many slots it had. */
  replaceMonth(month: string, slots: RosterSlot[], by: string): Promise<{ replaced: number }>;
  /** Enabled people of these roles, by display name: the roster's pickers and the import's lookup. */
  people(roles: readonly string[]): Promise<DutyPerson[]>;
}

export interface DutyLogRepository {
  append(input: {
    authorId: string;
    authorName: string;
    category: DutyLogCategory;
    text: string;
  }): Promise<DutyLogEntry>;
  /** Newest first. */
  recent(limit: number): Promise<DutyLogEntry[]>;
  /** Written at or after `since`, oldest first (what a handover carries). */
  since(since: string, limit: number): Promise<DutyLogEntry[]>;
}

export interface NewHandover {
  id: string;
  day: string | null;
  shift: string | null;
  contents: HandoverContents;
  createdBy: string;
  createdByName: string;
}

export interface HandoverRepository {
  /** `invalid_state` when another handover is open (draft or handed over). */
  create(handover: NewHandover): Promise<HandoverView>;
  get(id: string): Promise<HandoverView | undefined>;
  /** The open handover (draft or handed over), if any. */
  open(): Promise<HandoverView | undefined>;
  /** The latest accepted handover: where the next one's log starts. */
  lastAccepted(): Promise<HandoverView | undefined>;
  /** Newest first. */
  list(limit: number): Promise<HandoverView[]>;
  /**
   * draft → handed_over with fresh contents and the outgoing officer's notes;
   * `not_found`, or `invalid_transition` from any other state.
   */
  handOver(
    id: string,
    input: { contents: HandoverContents; notes: string; by: string; byName: string; at: string },
  ): Promise<Change<HandoverView>>;
  /** handed_over → accepted; `not_found`, or `invalid_transition` from any other state. */
  accept(id: string, input: { note: string; by: string; byName: string; at: string }): Promise<Change<HandoverView>>;
}

export interface DutyRepositories {
  roster: DutyRosterRepository;
  log: DutyLogRepository;
  handovers: HandoverRepository;
}
