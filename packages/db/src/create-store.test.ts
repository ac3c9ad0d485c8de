import { describe, expect, it } from 'vitest';
import { createStore } from './create-store.ts';
import { startInProcessEmulator } from './firestore/in-process-emulator.ts';

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

  it('builds a Firestore store on an emulator', async () => {
    await using emulator = await startInProcessEmulator();
    const store = await createStore({ kind: 'firestore', projectId: 'parley-create-store', emulatorHost: emulator.host });
    try {
      expect(store.kind).toBe('firestore');
      await store.ping();
      expect(await store.upsertUser({ id: 'ann', displayName: 'Ann' })).toMatchObject({ id: 'ann' });
    } finally {
      await store.close();
    }
  });
});
