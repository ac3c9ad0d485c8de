import { Timestamp, type Firestore, type Query } from '@google-cloud/firestore';
import type { StreamItem, StreamKind, StreamRead } from '../store.ts';
import { isDocumentId, type FirestoreCollections } from './collections.ts';
import { dataOf, toMessage, toReceipt, type ConversationDoc, type MessageDoc, type ReceiptDoc } from './documents.ts';

/** Conversations read at once by `readStream`; it stops as soon as `limit` items are in. */
const PARALLEL = 10;

/** Both streams are collections under the conversation, keyed by position, with `createdAt`. */
const STREAMS = {
  messages: {
    position: 'seq',
    collection: (paths: FirestoreCollections, id: string) => paths.messages(id),
    head: ['lastSeq', 'lastMessage'],
    headOf: (doc: Partial<ConversationDoc>) => ({ position: doc.lastSeq ?? 0, at: doc.lastMessage?.createdAt ?? null }),
  },
  receipts: {
    position: 'rseq',
    collection: (paths: FirestoreCollections, id: string) => paths.receipts(id),
    head: ['lastRseq', 'lastReceiptAt'],
    headOf: (doc: Partial<ConversationDoc>) => ({ position: doc.lastRseq ?? 0, at: doc.lastReceiptAt ?? null }),
  },
} as const satisfies Record<StreamKind, unknown>;

function toItem<K extends StreamKind>(kind: K, data: MessageDoc | ReceiptDoc): StreamItem<K> {
  return (kind === 'messages' ? toMessage(data as MessageDoc) : toReceipt(data as ReceiptDoc)) as StreamItem<K>;
}

/** The unique ids that can name a conversation, in byte order (the order `readStream` groups by). */
function conversationIdsIn(ids: readonly string[]): string[] {
  return [...new Set(ids)].filter(isDocumentId).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The heads are kept on the conversation documents, written with each item: one batched read. The
 * newest item is also the latest one (createdAt never decreases as the position grows).
 */
export async function streamHeads(db: Firestore, paths: FirestoreCollections, kind: StreamKind, conversationIds: string[], since: Date): Promise<Record<string, number>> {
  const ids = conversationIdsIn(conversationIds);
  if (ids.length === 0) return {};
  const { head, headOf } = STREAMS[kind];
  const snapshots = await db.getAll(...ids.map((id) => paths.conversation(id)), { fieldMask: [...head] });
  const heads: Record<string, number> = {};
  for (const snapshot of snapshots) {
    if (!snapshot.exists) continue;
    const { position, at } = headOf(dataOf<Partial<ConversationDoc>>(snapshot));
    if (position > 0 && at && at.toMillis() > since.getTime()) heads[snapshot.id] = position;
  }
  return heads;
}

/**
 * Per conversation one range query on an indexed field with a limit: by position when resuming, by
 * `createdAt` then position otherwise (index: createdAt ASC, position ASC), which is position order too.
 */
export async function readStream<K extends StreamKind>(paths: FirestoreCollections, kind: K, read: StreamRead): Promise<StreamItem<K>[]> {
  const { position, collection } = STREAMS[kind];
  const queries: Query[] = [];
  for (const id of conversationIdsIn(read.conversationIds)) {
    const after = Object.hasOwn(read.after, id) ? read.after[id] : undefined;
    if (after !== undefined) {
      queries.push(collection(paths, id).where(position, '>', after).orderBy(position));
    } else if (read.since !== null) {
      queries.push(collection(paths, id).where('createdAt', '>', Timestamp.fromDate(read.since)).orderBy('createdAt').orderBy(position));
    }
  }
  const items: StreamItem<K>[] = [];
  for (let i = 0; i < queries.length && items.length < read.limit; i += PARALLEL) {
    const room = read.limit - items.length;
    const pages = await Promise.all(queries.slice(i, i + PARALLEL).map((query) => query.limit(room).get()));
    for (const page of pages) for (const doc of page.docs) items.push(toItem(kind, dataOf<MessageDoc | ReceiptDoc>(doc)));
  }
  return items.slice(0, Math.max(0, read.limit));
}
