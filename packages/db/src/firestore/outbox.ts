import type { Firestore } from '@google-cloud/firestore';
import { newId } from '../postgres/ids.ts';
import type { Message, OutboxNotification, Page } from '../store.ts';
import { isDocumentId, type FirestoreCollections } from './collections.ts';
import { isAlreadyExists } from './contention.ts';
import { dataOf, readTimeOf, stamp, toMessage, toMessageCopyDoc, toNotification, type MessageDoc, type NotificationDoc } from './documents.ts';
import { decodeCursor, encodeCursor, recencyKey } from './recency-key.ts';

const isPosition = (n: number): boolean => Number.isSafeInteger(n) && n > 0;

/**
 * The document of (recipient, message) is created, never set: of concurrent calls, on any number of
 * store instances, one `create()` succeeds and the others fail with ALREADY_EXISTS and read the first.
 *
 * The first read, one round trip, also fetches the recipient and the stored message: like the SQL
 * store's foreign keys, an unknown user or message is refused, and the copy kept in the notification
 * is the stored message, not whatever the caller passed. Its read time is the store's clock.
 */
export async function addNotification(
  db: Firestore,
  paths: FirestoreCollections,
  input: { recipientId: string; message: Message },
): Promise<{ notification: OutboxNotification; created: boolean }> {
  const { recipientId, message } = input;
  if (!isDocumentId(recipientId)) throw new Error(`unknown user ${recipientId}`);
  if (!isDocumentId(message.id) || !isDocumentId(message.conversationId) || !isPosition(message.seq)) throw new Error(`unknown message ${message.id}`);
  const ref = paths.notification(recipientId, message.id);
  const [existing, member, stored] = await db.getAll(ref, paths.member(recipientId), paths.message(message.conversationId, message.seq));
  if (existing?.exists) return { notification: toNotification(dataOf<NotificationDoc>(existing)), created: false };
  if (!member?.exists) throw new Error(`unknown user ${recipientId}`);
  const storedMessage = stored?.exists ? dataOf<MessageDoc>(stored) : null;
  if (storedMessage?.id !== message.id) throw new Error(`unknown message ${message.id}`);

  const at = readTimeOf(member);
  const id = newId('n');
  const doc: NotificationDoc = {
    id,
    recipientId,
    conversationId: message.conversationId,
    message: toMessageCopyDoc(toMessage(storedMessage)),
    createdAt: stamp(at),
    recentKey: recencyKey(at, id),
  };
  try {
    await ref.create(doc);
    return { notification: toNotification(doc), created: true };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const first = await ref.get();
  return { notification: toNotification(dataOf<NotificationDoc>(first)), created: false };
}

/** One range query on the user's own outbox by `recentKey` (a single-field index). */
export async function listNotifications(paths: FirestoreCollections, userId: string, page: { limit: number; cursor?: string | null }): Promise<Page<OutboxNotification>> {
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const limit = Math.max(0, page.limit);
  if (!isDocumentId(userId)) return { items: [], nextCursor: null };
  let query = paths.notifications(userId).orderBy('recentKey', 'desc');
  if (after !== null) query = query.where('recentKey', '<', after);
  // One more than the page tells whether another page exists.
  const snapshot = await query.limit(limit + 1).get();
  const docs = snapshot.docs.slice(0, limit).map((doc) => dataOf<NotificationDoc>(doc));
  const last = docs.at(-1);
  return { items: docs.map(toNotification), nextCursor: snapshot.docs.length > limit && last ? encodeCursor(last.recentKey) : null };
}
