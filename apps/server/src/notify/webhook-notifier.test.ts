import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Message } from '@parley/db';
import { startWebhookReceiver } from '../../test/helpers/webhook-receiver.ts';
import { NotifyError } from './notifier.ts';
import { WebhookNotifier } from './webhook-notifier.ts';

const secret = 'a-webhook-secret-0123456789';
const message: Message = {
  id: 'm_1',
  conversationId: 'c_1',
  seq: 7,
  senderId: 'ann',
  clientMessageId: 'x',
  text: 'héllo "world"',
  createdAt: new Date('2026-12-01T10:00:00.000Z'),
};

async function failure(promise: Promise<unknown>): Promise<NotifyError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(NotifyError);
  return error as NotifyError;
}

describe('WebhookNotifier', () => {
  it('POSTs the JSON body signed with HMAC-SHA256 of the exact bytes', async () => {
    await using receiver = await startWebhookReceiver();
    await new WebhookNotifier({ url: receiver.url, secret }).send({ recipientId: 'carol', message });
    const [hook] = receiver.received;
    expect(hook!.body).toEqual({ type: 'message', recipientId: 'carol', conversationId: 'c_1', message: { ...message, createdAt: '2026-12-01T10:00:00.000Z' } });
    expect(hook!.headers['content-type']).toBe('application/json');
    expect(hook!.headers['x-parley-signature']).toBe(`sha256=${createHmac('sha256', secret).update(hook!.raw).digest('hex')}`);
  });

  it('retries 408, 429 and 5xx; any other answer is final', async () => {
    const statuses = [408, 429, 500, 503, 400, 404, 410, 301];
    await using receiver = await startWebhookReceiver((_hook, n) => statuses[n]!);
    const notifier = new WebhookNotifier({ url: receiver.url, secret });
    const retryable: boolean[] = [];
    for (const _ of statuses) retryable.push((await failure(notifier.send({ recipientId: 'carol', message }))).retryable);
    expect(retryable).toEqual([true, true, true, true, false, false, false, false]);
  });

  it('retries when nothing reached the receiver, not when it may have (a timeout)', async () => {
    const closed = await startWebhookReceiver();
    const url = closed.url;
    await closed.close();
    expect((await failure(new WebhookNotifier({ url, secret }).send({ recipientId: 'carol', message }))).retryable).toBe(true);

    await using hanging = await startWebhookReceiver(() => 'hang');
    const timedOut = await failure(new WebhookNotifier({ url: hanging.url, secret, timeoutMs: 300 }).send({ recipientId: 'carol', message }));
    expect(timedOut.retryable).toBe(false);
    expect(hanging.received).toHaveLength(1);
  });
});
