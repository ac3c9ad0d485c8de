import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchResponse, MulticastMessage } from 'firebase-admin/messaging';
import { createStore, type Message, type Store } from '@parley/db';
import { FcmNotifier, type PushTransport } from './fcm-notifier.ts';
import { NotifyError } from './notifier.ts';

const log = { info: () => {}, warn: () => {}, error: () => {} };
let store: Store;
beforeAll(async () => {
  store = await createStore({ kind: 'pglite', dataDir: 'memory://' });
});
afterAll(async () => {
  await store?.close();
});

/** FCM's side of the wire (firebase-admin's `Messaging`), answering each token as told. */
function fcm(answer: (token: string) => string | null) {
  const sent: MulticastMessage[] = [];
  const push: PushTransport = {
    async sendEachForMulticast(message) {
      sent.push(message);
      const responses = message.tokens.map((token) => {
        const code = answer(token);
        return code ? { success: false, error: { code, message: code } } : { success: true, messageId: `fcm-${token}` };
      });
      const successCount = responses.filter((r) => r.success).length;
      return { responses, successCount, failureCount: responses.length - successCount } as BatchResponse;
    },
  };
  return { push, sent };
}

async function setup(userSuffix: string) {
  const ann = await store.upsertUser({ id: `ann${userSuffix}`, displayName: 'Ann' });
  const carol = await store.upsertUser({ id: `carol${userSuffix}`, displayName: 'Carol' });
  const conv = await store.createConversation({ memberIds: [ann.id, carol.id], title: null });
  const { message } = await store.appendMessage({ conversationId: conv.id, senderId: ann.id, clientMessageId: 'f1', text: 'ping' });
  return { carol, message: message as Message };
}

describe('FcmNotifier', () => {
  it('pushes to every registered device, titled with the sender, and forgets tokens FCM calls dead', async () => {
    const { carol, message } = await setup('1');
    await store.registerDevice({ userId: carol.id, token: 'token-phone-000', platform: 'android' });
    await store.registerDevice({ userId: carol.id, token: 'token-old-tablet', platform: 'ios' });
    const { push, sent } = fcm((token) => (token === 'token-old-tablet' ? 'messaging/registration-token-not-registered' : null));
    await new FcmNotifier({ store, push, log }).send({ recipientId: carol.id, message });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.tokens.sort()).toEqual(['token-old-tablet', 'token-phone-000']);
    expect(sent[0]!.notification).toEqual({ title: 'Ann', body: 'ping' });
    expect(sent[0]!.data).toMatchObject({ conversationId: message.conversationId, messageId: message.id, seq: String(message.seq) });
    expect((await store.devicesOf(carol.id)).map((d) => d.token)).toEqual(['token-phone-000']);
  });

  it('is retryable only when no device got it and FCM said try later', async () => {
    const { carol, message } = await setup('2');
    await store.registerDevice({ userId: carol.id, token: 'token-a-000000', platform: 'web' });
    const down = fcm(() => 'messaging/server-unavailable');
    const error = await new FcmNotifier({ store, push: down.push, log }).send({ recipientId: carol.id, message }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifyError);
    expect((error as NotifyError).retryable).toBe(true);

    const none = fcm(() => null);
    const { carol: dan, message: other } = await setup('3');
    await new FcmNotifier({ store, push: none.push, log }).send({ recipientId: dan.id, message: other });
    expect(none.sent).toHaveLength(0);
  });
});
