import type { Firestore } from '@google-cloud/firestore';
import type { MarkInput, Receipt } from '../store.ts';
import type { FirestoreCollections } from './collections.ts';
import { contended, isAlreadyExists, RETRY } from './contention.ts';
import { dataOf, later, readTimeOf, stamp, toReceiptDoc, type ConversationDoc, type MessageDoc, type ParticipantDoc } from './documents.ts';

/** Messages read per round while skipping the member's own. */
const PAGE = 50;

/** The newest message in (above, upTo] not sent by `userId`. */
async function newestFromOthers(paths: FirestoreCollections, conversationId: string, userId: string, above: number, upTo: number): Promise<MessageDoc | null> {
  let top = upTo;
  while (top > above) {
    const page = await paths.messages(conversationId).where('seq', '>', above).where('seq', '<=', top).orderBy('seq', 'desc').limit(PAGE).get();
    const docs = page.docs.map((doc) => dataOf<MessageDoc>(doc));
    const found = docs.find((doc) => doc.senderId !== userId);
    if (found) return found;
    const oldest = docs.at(-1);
    if (!oldest || docs.length < PAGE) return null;
    top = oldest.seq - 1;
  }
  return null;
}

/**
 * The same scheme as `appendMessage`, on the receipt stream: read the conversation's receipt head,
 * only then the member's horizons, and commit `create(receipts/{lastRseq + 1})` with the new horizons
 * and head; ALREADY_EXISTS starts again.
 *
 * Horizons never go backwards: of two receipts of one member at rseq r1 < r2, the writer of r2 read a
 * head of at least r1 before reading the horizons, and r1's horizons were committed with r1, so r2 was
 * computed from them (or later ones). Its writes are therefore ordered after r1's as well.
 */
export async function markReceipt(db: Firestore, paths: FirestoreCollections, input: MarkInput): Promise<Receipt | null> {
  const { conversationId, userId, kind } = input;
  const conversationRef = paths.conversation(conversationId);
  const participantRef = paths.participant(conversationId, userId);
  return contended({ what: `mark in conversation ${conversationId}` }, async () => {
    const [head] = await db.getAll(conversationRef, { fieldMask: ['lastSeq', 'lastRseq', 'lastReceiptAt'] });
    if (!head?.exists) return null;
    const conversation = dataOf<Pick<ConversationDoc, 'lastSeq' | 'lastRseq' | 'lastReceiptAt'>>(head);
    const participant = await participantRef.get();
    if (!participant.exists) return null;
    const { deliveredSeq, readSeq } = dataOf<ParticipantDoc>(participant);

    const horizon = kind === 'read' ? readSeq : deliveredSeq;
    const upTo = Math.min(input.seq, conversation.lastSeq);
    if (!(upTo > horizon)) return null;
    const target = await newestFromOthers(paths, conversationId, userId, horizon, Math.floor(upTo));
    if (!target) return null;

    const receipt: Receipt = {
      conversationId,
      rseq: conversation.lastRseq + 1,
      messageId: target.id,
      seq: target.seq,
      updatedBy: userId,
      oldStatus: kind === 'read' && deliveredSeq >= target.seq ? 'delivered' : 'sent',
      newStatus: kind,
      timestamp: later(readTimeOf(head), conversation.lastReceiptAt?.toDate() ?? null),
    };
    const batch = db.batch();
    // The create comes first: it is the one write that can fail.
    batch.create(paths.receipt(conversationId, receipt.rseq), toReceiptDoc(receipt));
    batch.update(participantRef, {
      deliveredSeq: Math.max(deliveredSeq, target.seq),
      readSeq: kind === 'read' ? target.seq : readSeq,
    });
    batch.update(conversationRef, { lastRseq: receipt.rseq, lastReceiptAt: stamp(receipt.timestamp) });
    try {
      await batch.commit();
    } catch (error) {
      if (isAlreadyExists(error)) return RETRY;
      throw error;
    }
    return receipt;
  });
}
