import type { DocumentSnapshot, Firestore } from '@google-cloud/firestore';
import type { SessionRecord } from '../store.ts';
import type { FirestoreCollections } from './collections.ts';
import { contended, isAlreadyExists, isFailedPrecondition, RETRY } from './contention.ts';
import { dataOf, later, readTimeOf, stamp, toSession, type MemberDoc, type SessionDoc, type SignEventDoc } from './documents.ts';

/**
 * Whether a user is signed in depends on all their sessions, so starting one session and ending
 * another must not interleave. Each such change takes the next position in the user's sign-event
 * stream with `create(members/{u}/signEvents/{signSeq + 1})`, committed with the user's new state:
 *
 * - `endSession` reads the user's `signSeq`, only then lists the user's active sessions (this one
 *   among them, or another end came first), and decides;
 * - `createSession` first creates the session, then takes a position to mark the user signed in.
 *
 * Two changes that read the same `signSeq` cannot both commit; the loser starts again and sees the
 * winner's outcome. A session created before an end listed the active ones is seen by it; one created
 * later marks the user signed in with a position after the end's. Two ends of a user's last two
 * sessions are ordered the same way, so the second one signs the user out; of two ends of one session,
 * the second sees it inactive.
 */
export async function createSession(db: Firestore, paths: FirestoreCollections, input: { id: string; userId: string }): Promise<SessionRecord> {
  const memberRef = paths.member(input.userId);
  const user = await memberRef.get();
  if (!user.exists) throw new Error(`unknown user ${input.userId}`);
  const at = readTimeOf(user);
  const session: SessionDoc = { userId: input.userId, isActive: true, createdAt: stamp(at), lastHeartbeatAt: stamp(at), signedOutAt: null };
  // Fails with ALREADY_EXISTS for a known session id, before anything else is written.
  await paths.session(input.id).create(session);
  await contended({ what: `sign in user ${input.userId}` }, async () => {
    const head = await memberRef.get();
    const member = dataOf<MemberDoc>(head);
    const signSeq = (member.signSeq ?? 0) + 1;
    const event: SignEventDoc = { kind: 'session.start', sessionId: input.id, at: stamp(readTimeOf(head)) };
    const batch = db.batch();
    batch.create(paths.signEvent(input.userId, signSeq), event);
    batch.update(memberRef, { signSeq, isSignedIn: true, updatedAt: stamp(later(readTimeOf(head), member.updatedAt.toDate())) });
    return commitOrRetry(batch.commit());
  });
  return toSession(input.id, session);
}

export function endSession(db: Firestore, paths: FirestoreCollections, id: string, at: Date): Promise<{ ended: boolean; userSignedOut: boolean }> {
  const sessionRef = paths.session(id);
  return contended({ what: `end session ${id}` }, async () => {
    const snapshot = await sessionRef.get();
    if (!snapshot.exists || !dataOf<SessionDoc>(snapshot).isActive) return { ended: false, userSignedOut: false };
    const { userId } = dataOf<SessionDoc>(snapshot);
    const memberRef = paths.member(userId);
    const head = await memberRef.get();
    if (!head.exists) {
      await sessionRef.update({ isActive: false, signedOutAt: stamp(at) });
      return { ended: true, userSignedOut: false };
    }
    const member = dataOf<MemberDoc>(head);
    // Read after the head: whether this session is still active is part of what the position decides.
    const active = await paths.sessions().where('userId', '==', userId).where('isActive', '==', true).select().get();
    if (!active.docs.some((doc) => doc.id === id)) return { ended: false, userSignedOut: false };
    const signsOut = active.docs.every((doc) => doc.id === id);
    const signSeq = (member.signSeq ?? 0) + 1;
    const event: SignEventDoc = { kind: 'session.end', sessionId: id, at: stamp(at) };
    const batch = db.batch();
    batch.create(paths.signEvent(userId, signSeq), event);
    batch.update(sessionRef, { isActive: false, signedOutAt: stamp(at) });
    batch.update(
      memberRef,
      signsOut
        ? { signSeq, isSignedIn: false, lastSignOutAt: stamp(at), updatedAt: stamp(later(readTimeOf(head), member.updatedAt.toDate())) }
        : { signSeq },
    );
    return commitOrRetry(batch.commit(), { ended: true, userSignedOut: signsOut });
  });
}

async function commitOrRetry<T = true>(commit: Promise<unknown>, result: T = true as T): Promise<T | typeof RETRY> {
  try {
    await commit;
    return result;
  } catch (error) {
    if (isAlreadyExists(error)) return RETRY;
    throw error;
  }
}

/**
 * Each write is conditional on the update time the session was read at, so of concurrent touches the
 * latest heartbeat wins (on Firestore: the in-process emulator ignores the condition). Only the
 * heartbeat field is written, so a concurrent end is never undone.
 */
export function touchSession(read: DocumentSnapshot, at: Date): Promise<void> {
  let snapshot = read;
  return contended({ what: `touch session ${read.id}` }, async () => {
    if (!snapshot.exists) return;
    const session = dataOf<SessionDoc>(snapshot);
    if (!session.isActive || session.lastHeartbeatAt.toMillis() >= at.getTime()) return;
    try {
      await snapshot.ref.update({ lastHeartbeatAt: stamp(at) }, { lastUpdateTime: snapshot.updateTime! });
      return;
    } catch (error) {
      if (!isFailedPrecondition(error)) throw error;
    }
    snapshot = await snapshot.ref.get();
    return RETRY;
  });
}
