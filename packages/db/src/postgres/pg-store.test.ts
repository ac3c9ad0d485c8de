import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../create-store.ts';
import { describeStoreContract } from '../store.contract.ts';
import { loadMigrations } from './migrate.ts';
import { PgStore } from './pg-store.ts';
import { createPgliteDriver } from './pglite-driver.ts';
import { createPoolDriver } from './pool-driver.ts';
import type { SqlDriver } from './sql-driver.ts';

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const postgresAnswers = await answers(POSTGRES_URL);

describeStoreContract('PGlite in memory', () => createStore({ kind: 'pglite', dataDir: 'memory://' }));

describe.runIf(postgresAnswers)('Postgres server', () => {
  // A schema per run, so parallel runs against the one database never see each other's rows.
  const run = `parley_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });

  /** A migrated store whose pool only sees `schema`. */
  async function storeIn(schema: string, migrate = true): Promise<PgStore> {
    const store = new PgStore(createPoolDriver({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` }));
    if (migrate) await store.migrate();
    return store;
  }

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`create schema ${run}`);
  });

  afterAll(async () => {
    await admin.query(`drop schema if exists ${run} cascade`);
    await admin.end();
  });

  describeStoreContract('Postgres', () => storeIn(run), { sharedDatabase: true });

  it('applies each migration once when two processes start together', async () => {
    const schema = `${run}_m`;
    await admin.query(`create schema ${schema}`);
    const stores = await Promise.all([storeIn(schema, false), storeIn(schema, false)]);
    try {
      await Promise.all(stores.map((store) => store.migrate()));
      const { rows } = await admin.query<{ version: string }>(`select version from ${schema}.schema_migrations order by version`);
      expect(rows.map((row) => row.version)).toEqual((await loadMigrations()).map((m) => m.version));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await admin.query(`drop schema ${schema} cascade`);
    }
  });
});

describe('PGlite on disk', () => {
  it('keeps data across close and reopen, without applying migrations again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-pglite-'));
    const appliedOf = (driver: SqlDriver) =>
      driver.query<{ version: string; applied_at: Date }>('select version, applied_at from schema_migrations order by version');
    try {
      const firstDriver = await createPgliteDriver(join(dir, 'data'));
      const first = new PgStore(firstDriver);
      await first.migrate();
      const applied = await appliedOf(firstDriver);
      await first.upsertUser({ id: 'ann', displayName: 'Ann' });
      const conversation = await first.createConversation({ memberIds: ['ann'], title: 'notes' });
      const { message } = await first.appendMessage({ conversationId: conversation.id, senderId: 'ann', clientMessageId: 'c1', text: 'kept' });
      await first.close();
      await first.close();

      const secondDriver = await createPgliteDriver(join(dir, 'data'));
      const second = new PgStore(secondDriver);
      try {
        await second.migrate();
        expect(await appliedOf(secondDriver)).toEqual(applied);
        expect(applied).toHaveLength((await loadMigrations()).length);
        expect(await second.getConversation(conversation.id)).toEqual(conversation);
        expect((await second.history(conversation.id, { limit: 10 })).messages).toEqual([message]);
        expect((await second.appendMessage({ conversationId: conversation.id, senderId: 'ann', clientMessageId: 'c2', text: 'next' })).message.seq).toBe(2);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
