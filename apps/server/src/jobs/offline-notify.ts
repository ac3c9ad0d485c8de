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

/** Recipients handled at once: bounds queries and requests in flight for very large groups. */
const CHUNK = 100;

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
  for (let i = 0; i < recipients.length; i += CHUNK) {
    const chunk = recipients.slice(i, i + CHUNK);
    const counts = await deps.connectionCounts(chunk);
    const outcomes = await Promise.all(chunk.map((recipientId) => notifyOne(deps, message, recipientId, counts.get(recipientId) ?? 0)));
    outcomes.forEach((outcome, k) => {
      if (outcome === 'sent') result.sent.push(chunk[k]!);
      else if (outcome === 'skipped') result.skipped += 1;
      else if (outcome === 'retry') retryable += 1;
      else final += 1;
    });
  }
  if (retryable > 0) throw new Error(`${retryable} of ${recipients.length} notifications of ${message.id} could not be sent yet`);
  if (final > 0 && result.sent.length === 0) throw new PermanentJobError(`${final} notifications of ${message.id} failed for good`);
  return result;
}

async function notifyOne(deps: OfflineNotifyDeps, message: Message, recipientId: string, connections: number): Promise<'sent' | 'skipped' | 'retry' | 'failed'> {
  if (connections > 0) return 'skipped';
  const { readSeq } = await deps.store.horizons(message.conversationId, recipientId);
  if (readSeq >= message.seq) return 'skipped';
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
