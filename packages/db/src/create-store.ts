import type { FirestoreStoreConfig } from './firestore/create-firestore-store.ts';
import { PgStore } from './postgres/pg-store.ts';
import { createPgliteDriver } from './postgres/pglite-driver.ts';
import { createPoolDriver } from './postgres/pool-driver.ts';
import type { Store } from './store.ts';

export type StoreConfig =
  | { kind: 'pglite'; /** A folder, or `memory://` for none. @default '.data/' */ dataDir: string }
  | { kind: 'postgres'; url: string }
  | ({ kind: 'firestore' } & FirestoreStoreConfig);

async function build(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'pglite':
      return new PgStore(await createPgliteDriver(config.dataDir));
    case 'postgres':
      return new PgStore(createPoolDriver({ connectionString: config.url }));
    case 'firestore': {
      // Loaded on demand: the Firestore client and gRPC are heavy for the SQL stores' users.
      const { createFirestoreStore } = await import('./firestore/create-firestore-store.ts');
      return createFirestoreStore(config);
    }
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
