/** The repository of information reporting (信息报送): chains, their entries, photos and questions. */
import type {
  ReportChainView,
  ReportChannel,
  ReportEntryView,
  ReportPhotoView,
  ReportState,
  ResponseLevel,
} from '@beacon/protocol';

/** An entry as written: the view's fields but the chain and photos, which come from the call and `photoIds`. */
export interface NewReportEntry extends Omit<ReportEntryView, 'chainId' | 'photos'> {
  /** Uploaded by `byId` and not part of a report yet; otherwise `report_invalid` and nothing is written. */
  photoIds: string[];
}

export interface NewReportChain {
  id: string;
  unitKind: 'township' | 'department';
  unitId: string;
  type: ReportChainView['type'];
  level: ResponseLevel | null;
  title: string;
  channel: ReportChannel;
  caller: string | null;
  occurredAt: string;
  location: [number, number];
  createdAt: string;
  createdBy: string;
  nextDueAt: string | null;
}

export interface ReportPhotoRecord extends ReportPhotoView {
  uploadedBy: string;
  uploadedAt: string;
  entryId: string | null;
  /** The chain the photo belongs to, once it is part of a report. */
  chainId: string | null;
  unitKind: 'township' | 'department' | null;
  unitId: string | null;
}

/** Both sides of a merge, as they are after it. */
export interface MergedPair {
  duplicate: ReportChainView;
  main: ReportChainView;
}

export interface ReportHandling {
  state: ReportState;
  verifiedAt?: string | null;
  verifiedByName?: string | null;
  incidentId?: string | null;
  level?: ResponseLevel | null;
  /** A new level moves the next deadline. */
  nextDueAt?: string | null;
}

export interface ReportRepository {
  /** The chain with its first entry, in one transaction. */
  create(chain: NewReportChain, first: NewReportEntry): Promise<ReportChainView>;
  /** A follow-up or the final entry; sets the chain's deadline and final flag with it. */
  addEntry(
    chainId: string,
    entry: NewReportEntry,
    deadline: { nextDueAt: string | null; final: boolean },
  ): Promise<ReportChainView>;
  get(id: string): Promise<ReportChainView | undefined>;
  /** Newest first; `unit` limits to one township's or department's chains. */
  list(query: {
    state?: ReportState | undefined;
    unit?: { kind: 'township' | 'department'; id: string } | undefined;
    incidentId?: string | undefined;
    /** With `unit`: also the chains linked to incidents this department is part of. */
    orInvolvedDepartment?: string | undefined;
    limit: number;
  }): Promise<ReportChainView[]>;
  /**
   * Merges the duplicate `id` into the main chain `into`, one level deep: `invalid_state` (nothing changed) when
   * `id` is merged already or has duplicates of its own, or `into` is itself merged or is `id`.
   */
  merge(id: string, into: string, by: { at: string; byName: string }): Promise<MergedPair>;
  /** Separates a merged chain from its main chain again (`invalid_state` when it is not merged). */
  unmerge(id: string, at: string): Promise<MergedPair>;
  setHandling(id: string, handling: ReportHandling, at: string): Promise<ReportChainView>;
  /** Undefined when the chain already was (another node flagged it first). */
  setOverdue(id: string, overdue: boolean, at: string): Promise<ReportChainView | undefined>;
  /** Not final, not merged, not flagged overdue yet, due at or before `now`. */
  dueBy(now: string): Promise<string[]>;
  ask(question: { id: string; chainId: string; at: string; byId: string; byName: string; text: string }): Promise<void>;
  /** False when the question is unknown, of another chain or already answered. */
  answer(input: {
    questionId: string;
    chainId: string;
    at: string;
    byId: string;
    byName: string;
    text: string;
  }): Promise<boolean>;
  addPhoto(photo: Omit<ReportPhotoRecord, 'entryId' | 'chainId' | 'unitKind' | 'unitId'>): Promise<void>;
  photo(id: string): Promise<ReportPhotoRecord | undefined>;
  /** Removes photos uploaded before `before` and never made part of a report; returns their ids (to delete files). */
  discardUnused(before: string): Promise<string[]>;
}
