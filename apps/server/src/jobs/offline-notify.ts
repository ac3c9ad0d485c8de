import type { Logger } from '@parley/api';
import type { Message, Store } from '@parley/db';
import { NotifyError, type Notifier } from '../notify/notifier.ts';
import type { DeliveryLedger } from './ledger.ts';
import { PermanentJobError, type NotifyJob } from './queues.ts';

export interface OfflineNotifyDeps {
  store: Store;
  /** Live connections per user, cluster-wide; throws when it cannot tell (the job is retried). */
  connectionCounts(userIds: string[]): Promise<Map<string, number>>;
  ledger: DeliveryLedger;
  notifier: Notifier;
  log: Logger;
}

/** Recipients whose presence and horizons are read at once. */
const CHUNK = 100;
/** Notifications sent at once within a job (a store write or an HTTP request each). */
const SENDS_IN_FLIGHT = 8;

export interface NotifyResult {
  sent: string[];
  /** Online, or read the message meanwhile, or already notified. */
  skipped: number;
}

/**
 * The offline-notification job of one message, run after the delay: every other member who has no
 * live connection anywhere and has not read the message gets one notification. Throws to be retried
 * when some could not be sent but may be later; the ones already sent are not sent again.
 */
export async function notifyOfflineMembers(deps: OfflineNotifyDeps, job: NotifyJob): Promise<NotifyResult> {
  const { store } = deps;
  const [message] = await store.getMessages(job.conversationId, [job.seq]);
  if (!message || message.id !== job.messageId) throw new PermanentJobError(`message ${job.messageId} (seq ${job.seq} of ${job.conversationId}) not found`);
  const conversation = await store.getConversation(job.conversationId);
  if (!conversation) throw new PermanentJobError(`conversation ${job.conversationId} not found`);
  const recipients = conversation.memberIds.filter((id) => id !== message.senderId);

  const result: NotifyResult = { sent: [], skipped: 0 };
  let retryable = 0;
  let final = 0;
  const tally = (outcome: Outcome, recipientId: string) => {
    if (outcome === 'sent') result.sent.push(recipientId);
    else if (outcome === 'skipped') result.skipped += 1;
    else if (outcome === 'retry') retryable += 1;
    else final += 1;
  };
  for (let i = 0; i < recipients.length; i += CHUNK) {
    const chunk = recipients.slice(i, i + CHUNK);
    const counts = await deps.connectionCounts(chunk);
    const offline = chunk.filter((id) => (counts.get(id) ?? 0) === 0);
    result.skipped += chunk.length - offline.length;
    if (offline.length === 0) continue;
    // One read for the chunk's horizons, then a few sends at a time: a job of a large group must not
    // queue hundreds of statements ahead of the store calls of live requests.
    const horizons = await store.horizonsOf(message.conversationId, offline);
    const unread = offline.filter((id) => (horizons.get(id)?.readSeq ?? 0) < message.seq);
    result.skipped += offline.length - unread.length;
    if (deps.notifier.sendMany) {
      for (const [recipientId, outcome] of await notifyBatch(deps, message, unread)) tally(outcome, recipientId);
    } else {
      await eachLimited(unread, SENDS_IN_FLIGHT, async (recipientId) => tally(await notifyOne(deps, message, recipientId), recipientId));
    }
  }
  if (retryable > 0) throw new Error(`${retryable} of ${recipients.length} notifications of ${message.id} could not be sent yet`);
  if (final > 0 && result.sent.length === 0) throw new PermanentJobError(`${final} notifications of ${message.id} failed for good`);
  return result;
}

type Outcome = 'sent' | 'skipped' | 'retry' | 'failed';

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Claims every recipient, then sends the claimed ones in one batch (`Notifier.sendMany`). */
async function notifyBatch(deps: OfflineNotifyDeps, message: Message, recipientIds: string[]): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const claimed: string[] = [];
  await eachLimited(recipientIds, SENDS_IN_FLIGHT, async (recipientId) => {
    if (await deps.ledger.claim(message.id, recipientId)) claimed.push(recipientId);
    else outcomes.set(recipientId, 'skipped');
  });
  if (claimed.length === 0) return outcomes;
  try {
    await deps.notifier.sendMany!(message, claimed);
  } catch (error) {
    const retry = error instanceof NotifyError && error.retryable;
    if (retry) await eachLimited(claimed, SENDS_IN_FLIGHT, (recipientId) => deps.ledger.release(message.id, recipientId));
    deps.log.warn('offline notifications failed', {
      messageId: message.id,
      recipients: claimed.length,
      notifier: deps.notifier.kind,
      retry,
      error: error instanceof Error ? error.message : String(error),
    });
    for (const recipientId of claimed) outcomes.set(recipientId, retry ? 'retry' : 'failed');
    return outcomes;
  }
  await eachLimited(claimed, SENDS_IN_FLIGHT, (recipientId) => deps.ledger.sent(message.id, recipientId));
  for (const recipientId of claimed) outcomes.set(recipientId, 'sent');
  return outcomes;
}

/** Claims and sends one notification to an offline recipient who has not read the message. */
async function notifyOne(deps: OfflineNotifyDeps, message: Message, recipientId: string): Promise<Outcome> {
  if (!(await deps.ledger.claim(message.id, recipientId))) return 'skipped';
  try {
    await deps.notifier.send({ recipientId, message });
  } catch (error) {
    const retry = error instanceof NotifyError && error.retryable;
    // Only a send that certainly did not go out may be claimed again; anything else stays claimed.
    if (retry) await deps.ledger.release(message.id, recipientId);
    deps.log.warn('offline notification failed', {
      messageId: message.id,
      recipientId,
      notifier: deps.notifier.kind,
      retry,
      error: error instanceof Error ? error.message : String(error),
    });
    return retry ? 'retry' : 'failed';
  }
  await deps.ledger.sent(message.id, recipientId);
  return 'sent';
}
