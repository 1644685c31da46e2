/**
 * What both SqlDb implementations share about transactions: the handle a
 * transaction's callback gets (savepoints for nesting), a guard against
 * statements on the outer handle from inside a transaction, and the FIFO lock
 * that serialises SQLite's one connection.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Dialect, type SqlQueries, type SqlValue, TransactionEndedError } from './sqlDb.ts';

/** The statements of one connection, without transaction handling. */
export interface StatementRunner {
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  exec(sql: string): Promise<void>;
}

/** Whether a transaction's statements may still run; cleared when it commits or rolls back. */
export interface TransactionScope {
  open: boolean;
}

/**
 * The handle a transaction's callback gets: statements on the transaction's
 * connection, `transaction` as a savepoint. Throws TransactionEndedError once
 * the transaction is over, so a statement someone forgot to await cannot land
 * outside it unnoticed.
 */
export function transactionHandle(
  dialect: Dialect,
  runner: StatementRunner,
  scope: TransactionScope,
  depth = 1,
): SqlQueries {
  const live = () => {
    if (!scope.open) throw new TransactionEndedError();
  };
  return {
    dialect,
    get: async (sql, params) => {
      live();
      return runner.get(sql, params);
    },
    all: async (sql, params) => {
      live();
      return runner.all(sql, params);
    },
    run: async (sql, params) => {
      live();
      return runner.run(sql, params);
    },
    exec: async (sql) => {
      live();
      return runner.exec(sql);
    },
    transaction: async (fn) => {
      live();
      const savepoint = `beacon_sp${depth}`;
      await runner.exec(`SAVEPOINT ${savepoint}`);
      const inner: TransactionScope = { open: true };
      try {
        const result = await fn(transactionHandle(dialect, runner, inner, depth + 1));
        inner.open = false;
        await runner.exec(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (err) {
        inner.open = false;
        // A dead connection cannot roll back; the error that brought us here says more.
        await runner.exec(`ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}`).catch(() => {});
        throw err;
      }
    },
  };
}

/**
 * Marks the async context of a transaction's callback, so that a statement on
 * the outer handle issued from inside it (instead of on `tx`) fails at once:
 * on SQLite it would wait for the transaction that waits for it (a deadlock),
 * on PostgreSQL it would run on another connection, outside the transaction.
 */
export class TransactionContext {
  readonly #storage = new AsyncLocalStorage<TransactionScope>();

  run<T>(scope: TransactionScope, fn: () => Promise<T>): Promise<T> {
    return this.#storage.run(scope, fn);
  }

  /** Throws when called from inside a still-open transaction of this database. */
  assertOutside(): void {
    if (this.#storage.getStore()?.open) {
      throw new Error('statement on the database inside one of its transactions: use the transaction handle');
    }
  }
}

/**
 * A FIFO lock: `run` starts `fn` when every earlier `fn` has settled.
 * Hand-written rather than async-mutex: SQLite's one connection needs only a
 * FIFO promise chain — no timeouts, cancellation or reader/writer modes.
 */
export class AsyncLock {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** Holders running or waiting. */
  get pending(): number {
    return this.#pending;
  }

  run<T>(fn: () => T | Promise<T>): Promise<T> {
    this.#pending++;
    const result = this.#tail.then(fn).finally(() => {
      this.#pending--;
    });
    this.#tail = result.catch(() => {});
    return result;
  }
}
