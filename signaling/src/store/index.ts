export type { CapFeedRepository, CapMessageRecord, CapMessageRepository } from './capTypes.ts';
export type { DutyRepositories, RosterSlot } from './dutyTypes.ts';
export { openStore } from './openStore.ts';
export type {
  AdminKind,
  AuditEntry,
  Change,
  OpenStoreOptions,
  RoomAccess,
  RoomKind,
  RoomMember,
  RoomRecord,
  SipSubscriber,
  Store,
  StoreRepositories,
  UserRecord,
} from './StoreTypes.ts';
