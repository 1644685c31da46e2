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
  UserRecord,
} from './StoreTypes.ts';
