/** What planning an import produces: one planned row per data row, in import order. */
import type {
  CreateDepartmentInput,
  CreateTerminalInput,
  CreateTownshipInput,
  CreateUserInput,
  CreateVillageInput,
  DepartmentView,
  ImportKind,
  ImportRowError,
  TerminalAdminView,
  TownshipAdminView,
  UpdateDepartmentInput,
  UpdateTerminalInput,
  UpdateTownshipInput,
  UpdateUserInput,
  UpdateVillageInput,
  VillageView,
} from '@beacon/protocol';
import type { StoreRepositories, UserRecord } from '../store/index.ts';

/** The repositories an import reads and writes: the store's, or one transaction's. */
export type OrgStore = Pick<
  StoreRepositories,
  'townships' | 'villages' | 'departments' | 'users' | 'terminals' | 'audit'
>;

/** The organisation as it is when planning starts. */
export interface OrgSnapshot {
  townships: TownshipAdminView[];
  villages: VillageView[];
  departments: DepartmentView[];
  users: UserRecord[];
  terminals: TerminalAdminView[];
}

interface KindInputs {
  townships: { create: CreateTownshipInput; patch: UpdateTownshipInput };
  villages: { create: CreateVillageInput; patch: UpdateVillageInput };
  departments: { create: CreateDepartmentInput; patch: UpdateDepartmentInput };
  users: { create: Omit<CreateUserInput, 'password'>; patch: UpdateUserInput };
  terminals: { create: CreateTerminalInput; patch: UpdateTerminalInput };
  phones: { create: CreateTerminalInput; patch: UpdateTerminalInput };
}

interface PlannedBase<K extends ImportKind> {
  kind: K;
  sheet: string;
  row: number;
  /** What a person calls it: a name, a username, an extension. */
  key: string;
  /** The existing row's id, or the id the row will be created with. */
  id: string;
  /**
   * Set when the file's 状态 changes the row's state (a new row the file
   * says is 停用, an existing one switched): written with the row, with the
   * same effects as the admin page's enable/disable.
   */
  enabled?: boolean;
}

/** A row to create, to change (the fields that differ), or already as the file says. */
export type PlannedRow<K extends ImportKind = ImportKind> = {
  [P in K]: PlannedBase<P> &
    (
      | { action: 'create'; create: KindInputs[P]['create'] }
      | { action: 'update'; patch: KindInputs[P]['patch']; fields: string[] }
      | { action: 'unchanged' }
    );
}[K];

/** A user row's password as the file gave it (policy-checked), or null: Beacon picks one at commit. */
export interface ImportPlan {
  rows: PlannedRow[];
  errors: ImportRowError[];
  /** Passwords the file gave, by username (never in the report). */
  givenPasswords: Map<string, string>;
}
