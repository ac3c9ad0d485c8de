import { randomUUID } from 'node:crypto';
import { applicationDefault, deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { emulatorClient } from './emulator-client.ts';
import { FirestoreStore } from './firestore-store.ts';

export interface FirestoreStoreConfig {
  /** The Firebase / Google Cloud project. @default discovered from the credentials or `GOOGLE_CLOUD_PROJECT` */
  projectId?: string;
  /** A named Firestore database. @default '(default)' */
  databaseId?: string;
  /**
   * `host:port` of a Firestore emulator (no credentials needed). Unset, the client library still
   * honours `FIRESTORE_EMULATOR_HOST` by itself.
   */
  emulatorHost?: string;
}

/**
 * A store on firebase-admin's Firestore client, with Google application default credentials
 * (`GOOGLE_APPLICATION_CREDENTIALS`, or the service account of the Google Cloud runtime).
 */
export function createFirestoreStore(config: FirestoreStoreConfig): FirestoreStore {
  if (config.emulatorHost) {
    return new FirestoreStore(emulatorClient(config.emulatorHost, config.projectId ?? 'demo-parley', config.databaseId));
  }
  // An app of its own, so that the store can be closed without touching an app the host process uses.
  const app = initializeApp({ credential: applicationDefault(), ...(config.projectId ? { projectId: config.projectId } : {}) }, `parley-store-${randomUUID()}`);
  const db = config.databaseId ? getFirestore(app, config.databaseId) : getFirestore(app);
  return new FirestoreStore(db, { onClose: () => deleteApp(app) });
}
