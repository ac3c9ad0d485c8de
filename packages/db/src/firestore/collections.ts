import { createHash } from 'node:crypto';
import type { CollectionReference, DocumentReference, Firestore } from '@google-cloud/firestore';

/**
 * Every collection and document path of the Firestore store, and nothing else. `firestore.indexes.json`
 * (beside this file) names the same collection ids: change both together.
 *
 * ```
 * members/{userId}                                  users: profile, status, isSignedIn, lastSignOutAt, updatedAt
 * members/{userId}/signEvents/{signSeq, 12 digits}  session starts and ends, numbered per user
 * members/{userId}/notifications/{messageId}        the user's outbox (NOTIFIER=outbox): one per message
 * devices/{sha256 of the token, hex}                push tokens: token, userId, platform, recentKey
 * sessions/{sessionId}                              isActive, lastHeartbeatAt, signedOutAt
 * conversations/{conversationId}                    title, memberIds, heads (lastSeq, lastMessage, lastRseq), activeKey
 * conversations/{c}/participants/{userId}           the member's delivered and read horizons
 * conversations/{c}/messages/{seq, 12 digits}       the message stream: the id is the position
 * conversations/{c}/receipts/{rseq, 12 digits}      the receipt stream: the id is the position
 * meta/clock                                        never written: reading it tells the store's time
 * ```
 */
export class FirestoreCollections {
  static readonly MEMBERS = 'members';
  static readonly SIGN_EVENTS = 'signEvents';
  static readonly SESSIONS = 'sessions';
  static readonly CONVERSATIONS = 'conversations';
  static readonly PARTICIPANTS = 'participants';
  static readonly MESSAGES = 'messages';
  static readonly RECEIPTS = 'receipts';
  static readonly META = 'meta';
  static readonly DEVICES = 'devices';
  static readonly NOTIFICATIONS = 'notifications';

  readonly #db: Firestore;

  constructor(db: Firestore) {
    this.#db = db;
  }

  /** Users (the "members"): one document per user id. */
  members(): CollectionReference {
    return this.#db.collection(FirestoreCollections.MEMBERS);
  }

  member(userId: string): DocumentReference {
    return this.members().doc(userId);
  }

  signEvent(userId: string, signSeq: number): DocumentReference {
    return this.member(userId).collection(FirestoreCollections.SIGN_EVENTS).doc(positionId(signSeq));
  }

  sessions(): CollectionReference {
    return this.#db.collection(FirestoreCollections.SESSIONS);
  }

  session(sessionId: string): DocumentReference {
    return this.sessions().doc(sessionId);
  }

  conversations(): CollectionReference {
    return this.#db.collection(FirestoreCollections.CONVERSATIONS);
  }

  conversation(conversationId: string): DocumentReference {
    return this.conversations().doc(conversationId);
  }

  participant(conversationId: string, userId: string): DocumentReference {
    return this.conversation(conversationId).collection(FirestoreCollections.PARTICIPANTS).doc(userId);
  }

  messages(conversationId: string): CollectionReference {
    return this.conversation(conversationId).collection(FirestoreCollections.MESSAGES);
  }

  message(conversationId: string, seq: number): DocumentReference {
    return this.messages(conversationId).doc(positionId(seq));
  }

  receipts(conversationId: string): CollectionReference {
    return this.conversation(conversationId).collection(FirestoreCollections.RECEIPTS);
  }

  receipt(conversationId: string, rseq: number): DocumentReference {
    return this.receipts(conversationId).doc(positionId(rseq));
  }

  devices(): CollectionReference {
    return this.#db.collection(FirestoreCollections.DEVICES);
  }

  /**
   * Keyed by a hash of the token: the token itself may not name a document (a web push endpoint is a
   * URL, with `/`), and one document per token is what makes a token belong to one user at a time.
   */
  device(token: string): DocumentReference {
    return this.devices().doc(createHash('sha256').update(token).digest('hex'));
  }

  notifications(userId: string): CollectionReference {
    return this.member(userId).collection(FirestoreCollections.NOTIFICATIONS);
  }

  /** Keyed by the message: a second notification of it for the same user cannot be created. */
  notification(userId: string, messageId: string): DocumentReference {
    return this.notifications(userId).doc(messageId);
  }

  clock(): DocumentReference {
    return this.#db.collection(FirestoreCollections.META).doc('clock');
  }
}

/** Zero-padded, so document-name order (the console, `__name__` tie-breaks) is position order. */
export function positionId(position: number): string {
  return String(position).padStart(12, '0');
}

/**
 * Ids that can name a document: no `/`, not `.` or `..`, not `__…__`, at most 1500 bytes. Ids from
 * input that cannot are unknown, rather than an error from the client library.
 */
export function isDocumentId(id: string): boolean {
  return id.length > 0 && Buffer.byteLength(id) <= 1500 && !id.includes('/') && id !== '.' && id !== '..' && !/^__.*__$/.test(id);
}
