/** Types of the administered organisation: paging, changes, and the unit repositories. */
import type {
  AreaInput,
  AreaView,
  CreateDepartmentInput,
  CreateVillageInput,
  DepartmentView,
  UpdateDepartmentInput,
  UpdateVillageInput,
  VillageView,
} from '@beacon/protocol';

/** A searched page of an administered kind (admin lists). */
export interface PageQuery {
  /** Substring of names, codes, numbers; case-insensitive. */
  q?: string | undefined;
  /** From 1. */
  page: number;
  pageSize: number;
  /** Only enabled (true) or disabled (false) rows; default both. */
  enabled?: boolean | undefined;
}
export interface PageResult<T> {
  items: T[];
  total: number;
}
/** An administered row before and after a change: what the audit records. */
export interface Change<T> {
  before: T;
  after: T;
}
/** What every administered kind offers besides create. `not_found` for an unknown id. */
export interface AdminKind<View, Patch> {
  page(query: PageQuery): Promise<PageResult<View>>;
  get(id: string): Promise<View | undefined>;
  /** `conflict` naming the field for a taken unique value. */
  update(id: string, patch: Patch): Promise<Change<View>>;
  setEnabled(id: string, enabled: boolean): Promise<Change<View>>;
}

/** Villages and communities (村/社区) of the townships, with their contact person. */
export interface VillageRepository extends AdminKind<VillageView, UpdateVillageInput> {
  /** `conflict` for a taken code, or a name already used in that township. */
  create(input: CreateVillageInput & { id: string }): Promise<VillageView>;
  listByTownship(townshipId: string): Promise<VillageView[]>;
}

/** Departments (部门): the administrator's list. */
export interface DepartmentRepository extends AdminKind<DepartmentView, UpdateDepartmentInput> {
  list(): Promise<DepartmentView[]>;
  /** `conflict` (field `name`) for a taken name. */
  create(input: CreateDepartmentInput & { id: string }): Promise<DepartmentView>;
}

/** The deployment's own area (city or county): one row, absent until an admin sets it. */
export interface AreaRepository {
  get(): Promise<AreaView | undefined>;
  /** Returns the area before (undefined the first time) and after. */
  set(input: AreaInput): Promise<{ before: AreaView | undefined; after: AreaView }>;
}
