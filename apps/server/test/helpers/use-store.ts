import { afterAll, beforeAll } from 'vitest';
import { createStore, type Store } from '@parley/db';

/**
 * One in-memory PGlite store for a whole test file (it takes seconds to start), shared by the
 * instances a test starts; tests keep apart by signing in their own users. Read `.store` in tests.
 */
export function useSharedStore(): { readonly store: Store } {
  let store: Store | undefined;
  beforeAll(async () => {
    store = await createStore({ kind: 'pglite', dataDir: 'memory://' });
  });
  afterAll(async () => {
    await store?.close();
  });
  return {
    get store() {
      if (!store) throw new Error('useSharedStore: read it inside a test or hook');
      return store;
    },
  };
}
