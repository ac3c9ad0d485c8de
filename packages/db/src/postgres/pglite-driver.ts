import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { SqlDriver, SqlExecutor } from './sql-driver.ts';

const IN_MEMORY = 'memory://';

function executor(db: PGlite | Transaction): SqlExecutor {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      return (await db.query<Row>(text, [...params])).rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

/**
 * Embedded Postgres in this process. PGlite has a single connection: its `transaction` holds a mutex
 * that every other query waits for, so concurrent callers are serialised rather than interleaved.
 */
export async function createPgliteDriver(dataDir: string): Promise<SqlDriver> {
  // PGlite creates the data folder itself but not its parents.
  if (!dataDir.startsWith(IN_MEMORY)) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  return {
    kind: 'pglite',
    ...executor(db),
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    close: async () => {
      if (!db.closed) await db.close();
    },
  };
}
