import { randomBytes } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeStoreContract, type StoreCapability } from '../store.contract.ts';
import { FirestoreStore } from './firestore-store.ts';
import { startInProcessEmulator, type InProcessEmulator } from './in-process-emulator.ts';

/**
 * What the in-process emulator does faithfully enough for the contract. It ignores update-time
 * preconditions, so `conditionalWrites` is missing: the tests that need it run only against a faithful
 * emulator (the Firebase emulator suite's, at `FIRESTORE_EMULATOR_HOST`) or the real service. Every
 * other test runs here: the store keeps seqs, idempotency, receipt horizons and sign-in state with
 * `create()` conflicts, which this emulator reports like Firestore does.
 */
const IN_PROCESS_CAPABILITIES: readonly StoreCapability[] = [];

const newProjectId = (): string => `parley-test-${randomBytes(4).toString('hex')}`;

describe('in-process emulator', () => {
  let emulator: InProcessEmulator;
  // One project per run: the three store instances of `sharedDatabase` share it.
  const projectId = newProjectId();

  beforeAll(async () => {
    emulator = await startInProcessEmulator();
  });
  afterAll(() => emulator.stop());

  describeStoreContract('Firestore, in-process emulator', async () => new FirestoreStore(emulator.client(projectId)), {
    sharedDatabase: true,
    capabilities: IN_PROCESS_CAPABILITIES,
  });
});

// FIRESTORE_EMULATOR_HOST=127.0.0.1:8080 pnpm vitest run packages/db/src/firestore (see README, Firebase).
const faithfulHost = process.env.FIRESTORE_EMULATOR_HOST;

describe.runIf(faithfulHost)(`emulator at FIRESTORE_EMULATOR_HOST (${faithfulHost ?? 'unset'})`, () => {
  const projectId = newProjectId();
  // The client library connects to FIRESTORE_EMULATOR_HOST by itself; every capability is expected.
  describeStoreContract('Firestore, FIRESTORE_EMULATOR_HOST', async () => new FirestoreStore(new Firestore({ projectId })), { sharedDatabase: true });
});
