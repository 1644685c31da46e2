/**
 * Why a backup or a restore stopped. Operators (and scripts around the CLI)
 * switch on `code`: add codes, never rename them.
 */
import { CodedError } from '@beacon/common';

export type BackupErrorCode =
  /** The command line or an option is wrong. */
  | 'backup_bad_arguments'
  /** The backup directory already holds files: a backup never overwrites another. */
  | 'backup_target_not_empty'
  /** The data dir has no SQLite file to back up (wrong BEACON_DATA_DIR?). */
  | 'backup_source_missing'
  /** The copied SQLite file failed its integrity check. */
  | 'backup_integrity_failed'
  /** pg_dump / pg_restore is not installed. */
  | 'backup_tool_missing'
  /** pg_dump / pg_restore (or the database behind them) failed. */
  | 'backup_tool_failed'
  /** The directory has no manifest.json: not a backup, or one that never finished. */
  | 'backup_manifest_missing'
  | 'backup_manifest_invalid'
  /** A file listed in the manifest is absent. */
  | 'backup_file_missing'
  /** A file's size or SHA-256 differs from the manifest: the backup is damaged. */
  | 'backup_checksum_mismatch'
  /** The backup's schema is newer than this Beacon's migrations: restore with the newer Beacon. */
  | 'backup_newer_schema'
  /** A SQLite backup into a PostgreSQL deployment or the other way round. */
  | 'backup_backend_mismatch'
  /** The data dir (or database) already holds data and `--force` was not given. */
  | 'restore_target_not_empty'
  /** The restored database's row counts differ from the manifest. */
  | 'restore_count_mismatch';

export class BackupError extends CodedError<BackupErrorCode> {
  override readonly name = 'BackupError';

  static newerSchema(backup: number, code: number): BackupError {
    return new BackupError(
      'backup_newer_schema',
      `the backup's schema is at migration ${backup}, newer than this Beacon's (${code}): restore it with the Beacon version that made it (or a newer one)`,
    );
  }

  static checksumMismatch(file: string, detail: string): BackupError {
    return new BackupError('backup_checksum_mismatch', `${file}: ${detail}; the backup is damaged`);
  }

  static targetNotEmpty(what: string): BackupError {
    return new BackupError(
      'restore_target_not_empty',
      `${what} already holds data; stop Beacon and restore with --force to replace it`,
    );
  }
}
