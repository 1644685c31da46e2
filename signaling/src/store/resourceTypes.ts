/** Types of the emergency resources (应急资源) in the store: teams and their dispatches, depots, shelters, experts. */
import type {
  CreateDepotInput,
  CreateExpertInput,
  CreateShelterInput,
  CreateTeamInput,
  DepotView,
  ExpertView,
  ShelterView,
  TeamStatus,
  TeamView,
  UpdateDepotInput,
  UpdateExpertInput,
  UpdateShelterInput,
  UpdateTeamInput,
} from '@beacon/protocol';
import type { AdminKind } from './orgTypes.ts';

/** What each resource kind offers besides the admin list: create, every enabled row, the row an import matches. */
export interface ResourceKindRepository<View, Create, Patch> extends AdminKind<View, Patch> {
  /** `conflict` naming the field for a taken name (experts: phone); `bad_request` for an unknown unit. */
  create(input: Create & { id: string }): Promise<View>;
  /** Every row (only enabled ones with `enabled: true`), in name order. */
  list(filter?: { enabled?: boolean }): Promise<View[]>;
  /** The row an import's key names: a team's, depot's or shelter's name, an expert's phone. */
  findByKey(key: string): Promise<View | undefined>;
}

export interface NewTeamDispatch {
  id: string;
  teamId: string;
  incidentId: string;
  taskId: string;
  at: string;
  by: string;
}

/** One dispatch of a team, as the after-action report lists it. */
export interface TeamDispatchRecord {
  teamId: string;
  teamName: string;
  taskId: string;
  dispatchedAt: string;
  dispatchedBy: string;
  /** Null while the team is out. */
  returnedAt: string | null;
}

export interface TeamRepository extends ResourceKindRepository<TeamView, CreateTeamInput, UpdateTeamInput> {
  /** The teams sent to an incident, in dispatch order. */
  dispatches(incidentId: string): Promise<TeamDispatchRecord[]>;
  /**
   * The team is deployed on this dispatch: compare-and-set from `available` or `returned`, the dispatch row
   * written in the same transaction. `invalid_transition` when the team is deployed already (two officers at
   * once: one wins), `not_found` for an unknown team.
   */
  deploy(dispatch: NewTeamDispatch): Promise<TeamView>;
  /** Deployed teams sent on this task come back (`returned`); returns them (none: the task sent no team). */
  returnByTask(taskId: string, at: string): Promise<TeamView[]>;
  /** The officer's move (`returned`, `available`) checked against TEAM_TRANSITIONS by the caller; compare-and-set on `from`. */
  setStatus(id: string, from: TeamStatus, to: TeamStatus, at: string): Promise<TeamView>;
}

export interface ResourceRepositories {
  teams: TeamRepository;
  depots: ResourceKindRepository<DepotView, CreateDepotInput, UpdateDepotInput>;
  shelters: ResourceKindRepository<ShelterView, CreateShelterInput, UpdateShelterInput>;
  experts: ResourceKindRepository<ExpertView, CreateExpertInput, UpdateExpertInput>;
}
