import type { Firestore } from '@google-cloud/firestore';
import { newId } from '../postgres/ids.ts';
import type { AppendMessageInput, Message } from '../store.ts';
import type { FirestoreCollections } from './collections.ts';
import { contended, isAlreadyExists, RETRY } from './contention.ts';
import {
  dataOf,
  dedupKey,
  later,
  readTimeOf,
  toMessage,
  toMessageCopyDoc,
  toMessageDoc,
  type ConversationDoc,
  type MessageDoc,
} from './documents.ts';
import { recencyKey } from './recency-key.ts';

/**
 * Appends without a transaction, so that what keeps seqs right is something the store itself sees
 * fail (and the in-process emulator, which never aborts a transaction, verifies):
 *
 * 1. read the conversation's head `lastSeq` (every message up to it exists: it is written in the same
 *    batch as its message);
 * 2. only then look for an earlier copy by (senderId, clientMessageId);
 * 3. commit `create(messages/{lastSeq + 1})` together with the new head. `create` fails with
 *    ALREADY_EXISTS when another writer took that seq: start again from 1.
 *
 * No gap: a message is only ever created right above a head that was read. No duplicate seq: `create`.
 * No duplicate message: if two copies were stored at seqs s1 < s2, the writer of s2 read a head of at
 * least s1 in step 1, so s1 was committed before its step 2, which would have found it.
 * The head moves forward only: the batch that sets head s + 1 was built after reading head s, which
 * was committed (atomically) before. `createdAt` is the store time of the step-1 read, raised to the
 * head's own time when needed, so it never decreases as seq grows.
 */
export async function appendMessage(db: Firestore, paths: FirestoreCollections, input: AppendMessageInput): Promise<{ message: Message; created: boolean }> {
  const { conversationId, senderId, clientMessageId } = input;
  const conversationRef = paths.conversation(conversationId);
  return contended({ what: `append to conversation ${conversationId}` }, async () => {
    // The member list of a big group is not needed here: read the head only.
    const [head] = await db.getAll(conversationRef, { fieldMask: ['lastSeq', 'lastMessage'] });
    if (!head?.exists) throw new Error(`unknown conversation ${conversationId}`);
    const { lastSeq, lastMessage } = dataOf<Pick<ConversationDoc, 'lastSeq' | 'lastMessage'>>(head);

    const earlier = await paths.messages(conversationId).where('dedupKey', '==', dedupKey(senderId, clientMessageId)).limit(1).get();
    const first = earlier.docs[0];
    if (first) return { message: toMessage(dataOf<MessageDoc>(first)), created: false };

    const message: Message = {
      id: newId('m'),
      conversationId,
      seq: lastSeq + 1,
      senderId,
      clientMessageId,
      text: input.text,
      createdAt: later(readTimeOf(head), lastMessage ? lastMessage.createdAt.toDate() : null),
    };
    const batch = db.batch();
    // The create comes first: it is the one write that can fail.
    batch.create(paths.message(conversationId, message.seq), toMessageDoc(message));
    batch.update(conversationRef, {
      lastSeq: message.seq,
      lastMessage: toMessageCopyDoc(message),
      activeKey: recencyKey(message.createdAt, conversationId),
    });
    try {
      await batch.commit();
    } catch (error) {
      if (isAlreadyExists(error)) return RETRY;
      throw error;
    }
    return { message, created: true };
  });
}
