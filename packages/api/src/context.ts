import { timingSafeEqual } from 'node:crypto';
import type { Deps, Identity } from './ports.ts';
import { MembershipCheck } from './services/membership.ts';

/** Per WebSocket connection: flipped when its session ends, so later calls answer UNAUTHORIZED. */
export interface ConnectionState {
  connectionId: string;
  ended: boolean;
  /** Aborts when the socket closes. */
  closed: AbortSignal;
}

export interface Context {
  deps: Deps;
  membership: MembershipCheck;
  identity: Identity | null;
  isService: boolean;
  connection: ConnectionState | null;
  /** Why `identity` is null, for the UNAUTHORIZED message. */
  authError?: string;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Resolves a token once per WebSocket connection (from `connectionParams`) or per HTTP request
 * (from `Authorization`). A session that ended is refused; outside-issuer sessions start on first use.
 */
export function createContextFactory(deps: Deps) {
  const membership = new MembershipCheck(deps.store);
  return async function createContext(input: { token: string | null; connection: ConnectionState | null }): Promise<Context> {
    const base = { deps, membership, identity: null, isService: false, connection: input.connection };
    const token = input.token;
    if (!token) return base;
    const serviceToken = deps.config.serviceToken;
    if (serviceToken && sameSecret(token, serviceToken)) return { ...base, isService: true };

    const identity = await deps.auth.verify(token);
    if (!identity) return { ...base, authError: 'invalid or expired token' };
    let session = await deps.store.getSession(identity.sessionId);
    if (!session && deps.auth.mode !== 'dev') {
      await deps.store.upsertUser({ id: identity.userId, displayName: identity.displayName ?? identity.userId });
      // Two first connections of one outside session can race here: the loser reads the winner's row.
      session = await deps.store
        .createSession({ id: identity.sessionId, userId: identity.userId })
        .catch(async (error: unknown) => (await deps.store.getSession(identity.sessionId)) ?? Promise.reject(error));
    }
    if (!session || session.userId !== identity.userId) return { ...base, authError: 'unknown session: sign in again' };
    if (!session.isActive) return { ...base, authError: 'this session has ended: sign in again' };
    deps.activity.touch(session.id);
    return { ...base, identity };
  };
}
