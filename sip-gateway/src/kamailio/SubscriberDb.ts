/**
 * The SQLite file Kamailio's auth_db reads: `version` and `subscriber` in the
 * layout Kamailio 5.6 expects (Debian's /usr/share/kamailio/db_sqlite/
 * standard-create.sql and auth_db-create.sql; table versions 1 and 7).
 * Only HA1 hashes are stored (`calculate_ha1=0`): the clear password never
 * reaches the file.
 *
 * Kamailio opens the file read-only per query; the gateway is its one writer.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

export const SUBSCRIBER_TABLE_VERSION = 7;
export const VERSION_TABLE_VERSION = 1;

/** A phone's credentials: a clear password (hashed here) or ready HA1s (signaling's `sip:subscribers`). */
export type Subscriber =
  | { /** The extension (digest user), e.g. `8001`. */ username: string; password: string }
  | { username: string; ha1: string; ha1b?: string /** Ignored: the file's realm is the db's. */; domain?: string };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS version (
    id INTEGER PRIMARY KEY NOT NULL,
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
);
CREATE TABLE IF NOT EXISTS subscriber (
    id INTEGER PRIMARY KEY NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT '' NOT NULL,
    password VARCHAR(64) DEFAULT '' NOT NULL,
    ha1 VARCHAR(128) DEFAULT '' NOT NULL,
    ha1b VARCHAR(128) DEFAULT '' NOT NULL,
    CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
);
CREATE INDEX IF NOT EXISTS subscriber_username_idx ON subscriber (username);
`;

const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;
const HA1 = /^[0-9a-fA-F]{32}$/;

/** MD5(user:realm:password), RFC 2617's HA1. */
export function digestHa1(username: string, realm: string, password: string): string {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
}

export class SubscriberDb {
  readonly file: string;
  readonly #db: Database.Database;
  readonly #realm: string;
  readonly #reservedUsers: ReadonlySet<string>;
  /** The gateway's own row (a reserved user), kept across replaceAll. */
  #serviceRow: [string, string, string] | null = null;

  /**
   * @param file     SQLite file (created with the schema if missing)
   * @param realm    digest realm the HA1s are computed for (Kamailio's realm), default `beacon`
   * @param reservedUsers users that must never get a password here (the gateway's own)
   */
  constructor(file: string, realm = 'beacon', reservedUsers: readonly string[] = ['gateway']) {
    this.file = file;
    this.#realm = realm;
    this.#reservedUsers = new Set(reservedUsers);
    this.#db = new Database(file);
    // Kamailio opens the file on its own: a plain rollback journal keeps it one file.
    this.#db.pragma('journal_mode = DELETE');
    this.#db.exec(SCHEMA);
    const setVersion = this.#db.prepare(
      'INSERT INTO version (table_name, table_version) VALUES (?, ?) ON CONFLICT(table_name) DO UPDATE SET table_version = excluded.table_version',
    );
    setVersion.run('version', VERSION_TABLE_VERSION);
    setVersion.run('subscriber', SUBSCRIBER_TABLE_VERSION);
  }

  /**
   * The gateway's own SIP user (a reserved name) with a password it drew at
   * start: Kamailio then lets only the gateway register over its WebSocket.
   * Kept when the phones are replaced.
   */
  setServiceUser(username: string, password: string): void {
    if (!this.#reservedUsers.has(username)) throw new TypeError(`${username} is not a reserved SIP user`);
    if (password.length < 16) throw new TypeError('the service password must be at least 16 characters');
    this.#serviceRow = [
      username,
      digestHa1(username, this.#realm, password),
      digestHa1(`${username}@${this.#realm}`, this.#realm, password),
    ];
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM subscriber WHERE username = ?').run(username);
      this.#insert(this.#serviceRow as [string, string, string]);
    })();
  }

  /** Replaces every subscriber in one transaction (Kamailio never sees a half-written table). */
  replaceAll(subscribers: readonly Subscriber[]): void {
    const seen = new Set<string>();
    const rows = subscribers.map((subscriber) => {
      const { username } = subscriber;
      if (!USERNAME.test(username)) throw new TypeError(`bad SIP username ${JSON.stringify(username)}`);
      if (this.#reservedUsers.has(username)) throw new TypeError(`SIP username ${username} is reserved`);
      if (seen.has(username)) throw new TypeError(`duplicate SIP username ${username}`);
      seen.add(username);
      if ('password' in subscriber) {
        if (subscriber.password.length === 0) throw new TypeError(`empty password for ${username}`);
        const { password } = subscriber;
        return [
          username,
          digestHa1(username, this.#realm, password),
          digestHa1(`${username}@${this.#realm}`, this.#realm, password),
        ];
      }
      if (!HA1.test(subscriber.ha1)) throw new TypeError(`bad HA1 for ${username}`);
      return [username, subscriber.ha1.toLowerCase(), (subscriber.ha1b ?? '').toLowerCase()];
    });
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM subscriber').run();
      for (const row of rows) this.#insert(row as [string, string, string]);
      if (this.#serviceRow) this.#insert(this.#serviceRow);
    })();
  }

  #insert([username, ha1, ha1b]: [string, string, string]): void {
    this.#db
      .prepare('INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES (?, ?, ?, ?, ?)')
      .run(username, this.#realm, '', ha1, ha1b);
  }

  /** The phones' usernames (the gateway's own row left out). */
  usernames(): string[] {
    return (this.#db.prepare('SELECT username FROM subscriber ORDER BY username').all() as { username: string }[])
      .map((row) => row.username)
      .filter((username) => !this.#reservedUsers.has(username));
  }

  close(): void {
    this.#db.close();
  }
}
