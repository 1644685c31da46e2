/** Backup and restore of a Beacon deployment (the CLI is cli.ts). */
export { BackupError, type BackupErrorCode } from './BackupError.ts';
export { type BackupOptions, type BackupResult, createBackup, POSTGRES_DUMP_FILE } from './backup.ts';
export { type BackupFile, MANIFEST_FILE, type Manifest, readManifest } from './manifest.ts';
export { type RestoreOptions, type RestoreResult, restoreBackup } from './restore.ts';
