import { randomBytes, randomUUID } from 'node:crypto';
import type { Message } from '@parley/db';
import { startInProcessEmulator } from '@parley/db/firestore-emulator';
import { afterAll, describe, expect, it } from 'vitest';
import { createFirebaseAuth } from '../src/auth/firebase-auth.ts';
import { httpClient, wsClient } from './helpers/client.ts';
import { startInstance } from './helpers/instance.ts';
import { collect } from './helpers/subscribe.ts';

type Tracked<T> = { id: string; data: T };
type MessageEvent = { type: 'message.created'; message: Message };

const authEmulatorHost = process.env.FIREBASE_AUTH_EMULATOR_HOST;
/** The project of the Auth emulator (`firebase emulators:exec` sets GCLOUD_PROJECT). */
const AUTH_PROJECT = process.env.GCLOUD_PROJECT ?? 'demo-parley';

/** `pnpm start` with STORE=firestore on an in-process Firestore emulator, in a project of its own unless `env` names one. */
async function startOnFirestore(emulatorHost: string, env: Record<string, string>) {
  return startInstance({
    STORE: 'firestore',
    FIRESTORE_EMULATOR_HOST: emulatorHost,
    FIREBASE_PROJECT_ID: `demo-parley-${randomBytes(4).toString('hex')}`,
    REDIS_URL: 'memory://',
    ...env,
  });
}

describe('STORE=firestore (pnpm start, on the in-process Firestore emulator)', () => {
  it('serves the chat: send, live delivery, history, list with unread counts, receipts', async () => {
    await using emulator = await startInProcessEmulator();
    const instance = await startOnFirestore(emulator.host, { AUTH_MODE: 'dev' });
    try {
      expect(await (await fetch(`${instance.url}/readyz`)).json()).toMatchObject({ ok: true, store: 'ok' });
      const http = httpClient(instance.url, null);
      const ann = await http.auth.devLogin.mutate({ displayName: 'Ann' });
      const bob = await http.auth.devLogin.mutate({ displayName: 'Bob' });
      const annApi = httpClient(instance.url, ann.token);
      await using bobWs = wsClient(instance.wsUrl, bob.token);

      const conversation = await annApi.conversations.create.mutate({ memberIds: [bob.user.id], title: 'Lunch' });
      const live = await collect(bobWs.client.chat.messages, { conversationId: conversation.id });
      for (let i = 1; i <= 3; i++) await annApi.chat.send.mutate({ conversationId: conversation.id, clientMessageId: `c${i}`, text: `hello ${i}` });
      const again = await annApi.chat.send.mutate({ conversationId: conversation.id, clientMessageId: 'c2', text: 'ignored' });
      expect(again).toMatchObject({ seq: 2, text: 'hello 2' });
      const events = (await live.count(3)) as Array<Tracked<MessageEvent>>;
      expect(events.map((e) => e.data.message.seq)).toEqual([1, 2, 3]);
      live.unsubscribe();

      const history = await bobWs.client.conversations.history.query({ conversationId: conversation.id, limit: 2 });
      expect(history).toMatchObject({ messages: [{ seq: 2 }, { seq: 3 }], nextBeforeSeq: 2 });
      expect((await bobWs.client.conversations.list.query({})).items[0]).toMatchObject({ id: conversation.id, unreadCount: 3, lastMessage: { text: 'hello 3' } });
      expect(await bobWs.client.chat.markRead.mutate({ conversationId: conversation.id, seq: 2 })).toEqual({ changed: true });
      expect(await bobWs.client.chat.markRead.mutate({ conversationId: conversation.id, seq: 1 })).toEqual({ changed: false });
      expect((await bobWs.client.conversations.list.query({})).items[0]).toMatchObject({ unreadCount: 1 });

      expect(await annApi.auth.logout.mutate({})).toEqual({ ok: true });
      await expect(annApi.users.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    } finally {
      expect(await instance.stop()).toEqual({ code: 0, signal: null });
    }
  });
});

// With the Firebase Auth emulator (README, Firebase): real ID tokens end to end.
describe.runIf(authEmulatorHost)('AUTH_MODE=firebase with STORE=firestore (pnpm start, Auth emulator)', () => {
  const admin = createFirebaseAuth({ projectId: AUTH_PROJECT });
  afterAll(() => admin.close());

  async function signUp(): Promise<{ idToken: string; localId: string }> {
    const response = await fetch(`http://${authEmulatorHost}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=emulator`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${randomUUID()}@example.com`, password: 'secret-123', displayName: 'Zed', returnSecureToken: true }),
    });
    if (!response.ok) throw new Error(`signUp: ${response.status} ${await response.text()}`);
    return (await response.json()) as { idToken: string; localId: string };
  }

  it('accepts Firebase ID tokens, refuses devLogin, and refuses revoked sign-ins on connect', async () => {
    await using emulator = await startInProcessEmulator();
    const instance = await startOnFirestore(emulator.host, {
      AUTH_MODE: 'firebase',
      FIREBASE_AUTH_EMULATOR_HOST: authEmulatorHost!,
      // ID tokens name the project they were issued for; the Firestore emulator here is this test's own.
      FIREBASE_PROJECT_ID: AUTH_PROJECT,
    });
    try {
      const zed = await signUp();
      const api = httpClient(instance.url, zed.idToken);
      expect(await api.users.me.query()).toMatchObject({ id: zed.localId });
      await expect(api.auth.devLogin.mutate({ displayName: 'x' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });

      // Revocation is recorded in whole seconds: let the sign-in's second pass.
      const authTime = (JSON.parse(Buffer.from(zed.idToken.split('.')[1]!, 'base64url').toString()) as { auth_time: number }).auth_time;
      await expect.poll(() => Math.floor(Date.now() / 1000), { timeout: 3_000, interval: 50 }).toBeGreaterThan(authTime);
      await admin.revokeSessions(zed.localId);
      await expect(api.users.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    } finally {
      expect(await instance.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
