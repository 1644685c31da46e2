export { openStore } from './openStore.ts';
export type {
  AuditEntry,
  OpenStoreOptions,
  RoomKind,
  RoomRecord,
  Store,
  UserRecord,
} from './StoreTypes.ts';
