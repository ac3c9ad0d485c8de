import { Firestore } from '@google-cloud/firestore';

/**
 * A Firestore client of `host` (an emulator), whatever `FIRESTORE_EMULATOR_HOST` says: the client
 * library lets that variable override its settings, so it is hidden while the client is built (the
 * settings are fixed in the constructor).
 */
export function emulatorClient(host: string, projectId: string, databaseId?: string): Firestore {
  const saved = process.env.FIRESTORE_EMULATOR_HOST;
  delete process.env.FIRESTORE_EMULATOR_HOST;
  try {
    return new Firestore({ projectId, host, ssl: false, ...(databaseId ? { databaseId } : {}) });
  } finally {
    if (saved !== undefined) process.env.FIRESTORE_EMULATOR_HOST = saved;
  }
}
