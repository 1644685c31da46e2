export { openStore } from './openStore.ts';
export type {
  AuditEntry,
  OpenStoreOptions,
  RoomKind,
  RoomRecord,
  SipSubscriber,
  Store,
  UserRecord,
} from './StoreTypes.ts';
