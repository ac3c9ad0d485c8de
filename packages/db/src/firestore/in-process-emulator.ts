import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { FirestoreServer } from '@firestore-emulator/server';
import type { Firestore } from '@google-cloud/firestore';
import { emulatorClient } from './emulator-client.ts';

/**
 * `@firestore-emulator/server`: Firestore's gRPC API served from this process, for tests. It does CRUD,
 * `create()` conflicts, where/orderBy/limit, `in`/array-contains, count(), getAll and single-client
 * transactions; it never aborts concurrent transactions, ignores cursors, offsets, update-time
 * preconditions and collection groups, and does not apply a batch atomically when a later write of it
 * fails. See `IN_PROCESS_CAPABILITIES` in `firestore-store.test.ts` for what that leaves unverified here.
 */
export interface InProcessEmulator extends AsyncDisposable {
  readonly host: string;
  /** A client of the emulator, in a project of its own unless `projectId` is given. */
  client(projectId?: string): Firestore;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startInProcessEmulator(): Promise<InProcessEmulator> {
  const server = new FirestoreServer();
  // The server binds the port it is given and does not report one it chose: take a free one first.
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await server.start(port);
      break;
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
  const host = `127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    server.stop();
  };
  return {
    host,
    client: (projectId = `parley-test-${randomBytes(4).toString('hex')}`) => emulatorClient(host, projectId),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
