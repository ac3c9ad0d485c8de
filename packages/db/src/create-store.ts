import { PgStore } from './postgres/pg-store.ts';
import { createPgliteDriver } from './postgres/pglite-driver.ts';
import { createPoolDriver } from './postgres/pool-driver.ts';
import type { Store } from './store.ts';

export type StoreConfig =
  | { kind: 'pglite'; /** A folder, or `memory://` for none. @default '.data/' */ dataDir: string }
  | { kind: 'postgres'; url: string }
  | { kind: 'firestore'; projectId?: string };

async function build(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'pglite':
      return new PgStore(await createPgliteDriver(config.dataDir));
    case 'postgres':
      return new PgStore(createPoolDriver({ connectionString: config.url }));
    case 'firestore':
      throw new Error('store firestore is not implemented yet');
  }
}

/** Builds the configured adapter and applies its migrations. */
export async function createStore(config: StoreConfig): Promise<Store> {
  const store = await build(config);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
