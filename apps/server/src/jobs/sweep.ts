import { topics, type SessionTimeoutEvent } from '@parley/api/schema';
import type { Authenticator, Logger, Realtime } from '@parley/api';
import type { Store } from '@parley/db';

export interface SweepDeps {
  store: Store;
  realtime: Realtime;
  auth: Authenticator;
  idleTimeoutMs: number;
  log: Logger;
}

const BATCH = 200;
/** Bounds one run; what is left goes to the next run. */
const MAX_BATCHES = 50;

/** "3 hours", "90 minutes", "5 seconds": the setting as a person would say it. */
export function describeDuration(ms: number): string {
  const units: Array<[string, number]> = [['hour', 3_600_000], ['minute', 60_000], ['second', 1000]];
  for (const [name, size] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  const seconds = Math.round(ms / 100) / 10;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

export function timeoutNotice(idleTimeoutMs: number, at: Date): SessionTimeoutEvent {
  return {
    type: 'session.timeout',
    message: `Your session has expired due to inactivity (${describeDuration(idleTimeoutMs)}). Please sign in again.`,
    timestamp: at,
  };
}

/**
 * Ends every session idle longer than the timeout: the session is marked inactive (and the user
 * signed out when it was their last), then every instance sends its sockets the notice and closes
 * them (the `session.end` event). Returns the number of sessions ended.
 */
export async function sweepIdleSessions(deps: SweepDeps): Promise<number> {
  const { store, realtime, auth, idleTimeoutMs, log } = deps;
  let ended = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
    const now = await store.now();
    const idle = await store.listIdleSessions(new Date(now.getTime() - idleTimeoutMs), BATCH);
    for (const session of idle) {
      const result = await store.endSession(session.id, now);
      // Another sweep, or a logout, got there first.
      if (!result.ended) continue;
      ended += 1;
      realtime.publish(topics.user(session.userId), {
        t: 'session.end',
        userId: session.userId,
        sessionId: session.id,
        reason: 'timeout',
        event: timeoutNotice(idleTimeoutMs, now),
      });
      // Firebase revokes per user, every device at once: only when this was their last session.
      if (result.userSignedOut && auth.revokeSessions) {
        await auth.revokeSessions(session.userId).catch((error: unknown) =>
          log.warn('could not revoke the sessions of a timed-out user', { userId: session.userId, error: String(error) }),
        );
      }
    }
    if (idle.length < BATCH) break;
  }
  if (ended > 0) log.info('idle sessions timed out', { sessions: ended, idleTimeoutMs });
  return ended;
}
