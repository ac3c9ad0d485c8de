import { readdir, readFile } from 'node:fs/promises';
import type { SqlDriver } from './sql-driver.ts';

export interface Migration {
  /** The file name without `.sql`, e.g. `001_init`; applied in this order. */
  version: string;
  sql: string;
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** Any constant shared by every Parley process; it only has to differ from other apps' locks. */
const MIGRATION_LOCK = 7_237_120_947_001;

export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (name) => ({ version: name.slice(0, -'.sql'.length), sql: await readFile(new URL(name, dir), 'utf8') })),
  );
}

/**
 * Applies the pending migrations in one transaction. The advisory lock makes a second process that
 * starts at the same time wait, then find everything applied.
 */
export async function migrate(driver: SqlDriver, migrations: Migration[]): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.exec(`create table if not exists schema_migrations (
      version text primary key,
      applied_at timestamptz not null default clock_timestamp()
    )`);
    const applied = new Set((await tx.query<{ version: string }>('select version from schema_migrations')).map((row) => row.version));
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migrations (version) values ($1)', [migration.version]);
    }
  });
}
