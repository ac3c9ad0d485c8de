import { describe, expect, it } from 'vitest';
import { createStore } from './create-store.ts';

describe('createStore', () => {
  it('builds a migrated PGlite store', async () => {
    const store = await createStore({ kind: 'pglite', dataDir: 'memory://' });
    try {
      expect(store.kind).toBe('pglite');
      expect(await store.upsertUser({ id: 'ann', displayName: 'Ann' })).toMatchObject({ id: 'ann' });
    } finally {
      await store.close();
    }
  });

  it('refuses firestore until its adapter exists', async () => {
    await expect(createStore({ kind: 'firestore' })).rejects.toThrow(/firestore.*not implemented/);
  });
});
