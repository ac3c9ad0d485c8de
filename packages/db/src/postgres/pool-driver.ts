import pg from 'pg';
import type { SqlDriver, SqlExecutor } from './sql-driver.ts';

function executor(db: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      return (await db.query(text, [...params])).rows as Row[];
    },
    async exec(sql: string) {
      // Without parameters pg uses the simple protocol, which accepts several statements.
      await db.query(sql);
    },
  };
}

/** A Postgres server through a `pg.Pool`; each transaction holds one pooled connection. */
export function createPoolDriver(config: pg.PoolConfig): SqlDriver {
  const pool = new pg.Pool(config);
  // An idle connection that the server drops is discarded by the pool and the next query reconnects;
  // without a listener the 'error' event would crash the process.
  pool.on('error', () => {});
  let ending: Promise<void> | null = null;
  return {
    kind: 'postgres',
    ...executor(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('begin');
        const result = await fn(executor(client));
        await client.query('commit');
        return result;
      } catch (error) {
        // A connection that cannot even roll back must not go back to the pool.
        await client.query('rollback').catch(() => (broken = true));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => (ending ??= pool.end()),
  };
}
