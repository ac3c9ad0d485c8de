import type { Firestore } from '@google-cloud/firestore';
import type { ConversationSummary, Page } from '../store.ts';
import type { FirestoreCollections } from './collections.ts';
import { dataOf, lastMessageOf, toConversation, type ConversationDoc, type ParticipantDoc } from './documents.ts';
import { decodeCursor, encodeCursor } from './recency-key.ts';

/**
 * One range query on the member's conversations by `activeKey` (index: memberIds CONTAINS, activeKey
 * DESC), then the page's horizons in one batched read and, where something is unread, one count of
 * the member's own messages above the read horizon: the other members' are the rest of the gapless
 * range (readSeq, lastSeq].
 */
export async function listConversations(
  db: Firestore,
  paths: FirestoreCollections,
  userId: string,
  page: { limit: number; cursor?: string | null },
): Promise<Page<ConversationSummary>> {
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const limit = Math.max(0, page.limit);
  let query = paths.conversations().where('memberIds', 'array-contains', userId);
  if (after) query = query.where('activeKey', '<', after);
  // One more than the page tells whether another page exists.
  const snapshot = await query.orderBy('activeKey', 'desc').limit(limit + 1).get();
  const docs = snapshot.docs.slice(0, limit);
  if (docs.length === 0) return { items: [], nextCursor: null };

  const participants = await db.getAll(...docs.map((doc) => paths.participant(doc.id, userId)));
  const items = await Promise.all(
    docs.map(async (doc, i): Promise<ConversationSummary> => {
      const conversation = dataOf<ConversationDoc>(doc);
      const participant = participants[i];
      const readSeq = participant?.exists ? dataOf<ParticipantDoc>(participant).readSeq : 0;
      let unreadCount = 0;
      if (conversation.lastSeq > readSeq) {
        const own = await paths
          .messages(doc.id)
          .where('senderId', '==', userId)
          .where('seq', '>', readSeq)
          .where('seq', '<=', conversation.lastSeq)
          .count()
          .get();
        unreadCount = conversation.lastSeq - readSeq - own.data().count;
      }
      return { ...toConversation(doc.id, conversation), lastMessage: lastMessageOf(doc.id, conversation), unreadCount };
    }),
  );
  const last = docs.at(-1);
  const nextCursor = snapshot.docs.length > limit && last ? encodeCursor(dataOf<ConversationDoc>(last).activeKey) : null;
  return { items, nextCursor };
}
