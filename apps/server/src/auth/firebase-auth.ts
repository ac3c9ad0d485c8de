import { createHash, randomUUID } from 'node:crypto';
import { applicationDefault, deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth, type Auth, type DecodedIdToken } from 'firebase-admin/auth';
import type { Authenticator, Identity, Logger } from '@parley/api';

/** What the authenticator uses of firebase-admin's `Auth`. */
export type FirebaseAuthClient = Pick<Auth, 'verifyIdToken' | 'revokeRefreshTokens'>;

export interface FirebaseAuthOptions {
  /** The Firebase project whose ID tokens are accepted. @default discovered from the credentials or `GOOGLE_CLOUD_PROJECT` */
  projectId?: string;
  /** An `Auth` to use instead of one of an app of its own (tests, or a host that has an app already). */
  auth?: FirebaseAuthClient;
  /**
   * Ask Firebase, on every verification (each WebSocket connect and HTTP request), whether the user's
   * tokens were revoked or the account disabled. @default true
   */
  checkRevoked?: boolean;
  /** Told about verifications that failed for another reason than the token (e.g. Firebase unreachable). */
  log?: Pick<Logger, 'warn'>;
}

export interface FirebaseAuthenticator extends Authenticator {
  readonly mode: 'firebase';
  revokeSessions(userId: string): Promise<void>;
  /** Deletes the firebase-admin app it made, if any. */
  close(): Promise<void>;
}

/** Firebase uids become store keys (Firestore document ids among them): printable, no `/`, bounded. */
const UID = /^[\x21-\x2e\x30-\x7e]{1,128}$/;

/** Error codes that say the token (or its user) is not acceptable; anything else is worth a warning. */
const TOKEN_PROBLEMS = new Set([
  'auth/argument-error',
  'auth/id-token-expired',
  'auth/id-token-revoked',
  'auth/invalid-argument',
  'auth/invalid-id-token',
  'auth/user-disabled',
  'auth/user-not-found',
]);

/**
 * One Firebase sign-in is one Parley session: its ID tokens are refreshed every hour but keep the
 * sign-in's `auth_time`, so (uid, auth_time) names the device's session across refreshes, and a new
 * sign-in starts a new one.
 */
export function sessionIdOf(token: Pick<DecodedIdToken, 'uid' | 'auth_time'>): string {
  return `fb_${createHash('sha256').update(`${token.uid}\n${token.auth_time}`).digest('base64url').slice(0, 32)}`;
}

export function identityOf(token: DecodedIdToken): Identity | null {
  if (!UID.test(token.uid) || !Number.isFinite(token.auth_time)) return null;
  const name = typeof token.name === 'string' ? token.name.trim().slice(0, 60) : '';
  return { userId: token.uid, sessionId: sessionIdOf(token), ...(name ? { displayName: name } : {}) };
}

/**
 * `AUTH_MODE=firebase`: Firebase ID tokens verified by firebase-admin, with revocation checked. There
 * are no Parley-issued tokens: clients sign in with Firebase and send their ID token.
 */
export function createFirebaseAuth(options: FirebaseAuthOptions = {}): FirebaseAuthenticator {
  // An app of its own, so that closing it does not touch an app the host process uses.
  const app = options.auth
    ? null
    : initializeApp({ credential: applicationDefault(), ...(options.projectId ? { projectId: options.projectId } : {}) }, `parley-auth-${randomUUID()}`);
  const auth: FirebaseAuthClient = options.auth ?? getAuth(app!);
  const checkRevoked = options.checkRevoked ?? true;

  return {
    mode: 'firebase',
    async verify(token) {
      try {
        return identityOf(await auth.verifyIdToken(token, checkRevoked));
      } catch (error) {
        const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
        // firebase-admin reports an unreachable key or account service as an argument error too.
        const unreachable = String(error).includes('Error while making request');
        if (!code || !TOKEN_PROBLEMS.has(code) || unreachable) options.log?.warn('firebase token verification failed', { code, error: String(error) });
        return null;
      }
    },
    async issue() {
      throw new Error('AUTH_MODE=firebase: tokens come from Firebase Authentication, not from this server');
    },
    async revokeSessions(userId) {
      await auth.revokeRefreshTokens(userId);
    },
    async close() {
      if (app) await deleteApp(app).catch(() => {});
    },
  };
}
