import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { DecodedIdToken } from 'firebase-admin/auth';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createFirebaseAuth, sessionIdOf, type FirebaseAuthClient } from './firebase-auth.ts';

const emulatorHost = process.env.FIREBASE_AUTH_EMULATOR_HOST;
const PROJECT = process.env.GCLOUD_PROJECT ?? 'demo-parley';

function decoded(claims: Partial<DecodedIdToken> & { uid: string; auth_time: number }): DecodedIdToken {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: PROJECT,
    iss: `https://securetoken.google.com/${PROJECT}`,
    sub: claims.uid,
    iat: now,
    exp: now + 3600,
    firebase: { sign_in_provider: 'password', identities: {} },
    ...claims,
  } as DecodedIdToken;
}

/** A stand-in for firebase-admin's Auth that knows some tokens. */
function fakeAuth(tokens: Record<string, DecodedIdToken>) {
  const client = {
    verifyIdToken: vi.fn(async (token: string, _checkRevoked?: boolean) => {
      const found = tokens[token];
      if (!found) throw Object.assign(new Error('Decoding Firebase ID token failed'), { code: 'auth/argument-error' });
      return found;
    }),
    revokeRefreshTokens: vi.fn(async (_uid: string) => {}),
  };
  return client satisfies FirebaseAuthClient;
}

describe('firebase auth', () => {
  it('names the user by uid and the session by the sign-in, across token refreshes', async () => {
    const signIn = 1_700_000_000;
    const auth = fakeAuth({
      first: decoded({ uid: 'Xy3kP0', auth_time: signIn, name: 'Ann' }),
      refreshed: decoded({ uid: 'Xy3kP0', auth_time: signIn, name: 'Ann' }),
      again: decoded({ uid: 'Xy3kP0', auth_time: signIn + 600 }),
    });
    const firebase = createFirebaseAuth({ auth });
    const first = await firebase.verify('first');
    expect(first).toEqual({ userId: 'Xy3kP0', sessionId: sessionIdOf({ uid: 'Xy3kP0', auth_time: signIn }), displayName: 'Ann' });
    expect(first!.sessionId).toMatch(/^fb_[A-Za-z0-9_-]{32}$/);
    expect(await firebase.verify('refreshed')).toEqual(first);
    const again = await firebase.verify('again');
    expect(again).toMatchObject({ userId: 'Xy3kP0' });
    expect(again!.sessionId).not.toBe(first!.sessionId);
    expect(again).not.toHaveProperty('displayName');
    // Revocation (and disabled accounts) are checked on every verification.
    expect(auth.verifyIdToken.mock.calls.every(([, checkRevoked]) => checkRevoked === true)).toBe(true);
  });

  it('refuses what Firebase refuses, and uids that cannot be store keys', async () => {
    const warn = vi.fn();
    const auth = fakeAuth({ slash: decoded({ uid: 'a/b', auth_time: 1 }), long: decoded({ uid: 'x'.repeat(129), auth_time: 1 }) });
    const firebase = createFirebaseAuth({ auth, log: { warn } });
    expect(await firebase.verify('unknown')).toBeNull();
    expect(await firebase.verify('slash')).toBeNull();
    expect(await firebase.verify('long')).toBeNull();
    expect(warn).not.toHaveBeenCalled();

    auth.verifyIdToken.mockRejectedValueOnce(Object.assign(new Error('socket hang up'), { code: 'auth/internal-error' }));
    expect(await firebase.verify('any')).toBeNull();
    expect(warn).toHaveBeenCalledOnce();
  });

  it('issues no tokens, and revokes a user\'s refresh tokens for the session sweep', async () => {
    const auth = fakeAuth({});
    const firebase = createFirebaseAuth({ auth });
    expect(firebase.mode).toBe('firebase');
    await expect(firebase.issue({ userId: 'ann', sessionId: 's' })).rejects.toThrow(/Firebase Authentication/);
    await firebase.revokeSessions('ann');
    expect(auth.revokeRefreshTokens).toHaveBeenCalledWith('ann');
    await firebase.close();
  });

  // The real verifier, offline: without FIREBASE_AUTH_EMULATOR_HOST (which turns signature checks off).
  describe.runIf(!emulatorHost)('with firebase-admin, offline', () => {
    const firebase = createFirebaseAuth({ projectId: 'demo-parley-offline' });
    afterAll(() => firebase.close());

    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    function rs256(claims: Record<string, unknown>): string {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const now = Math.floor(Date.now() / 1000);
      const head = b64({ alg: 'RS256', kid: 'not-a-google-key', typ: 'JWT' });
      const body = b64({ iss: 'https://securetoken.google.com/demo-parley-offline', aud: 'demo-parley-offline', sub: 'ann', auth_time: now, iat: now, exp: now + 3600, ...claims });
      return `${head}.${body}.${sign('RSA-SHA256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url')}`;
    }

    it('refuses a token signed by a key that is not Google\'s', async () => {
      // Refused either way: no Google key has this kid (or, with no network, no key can be fetched).
      expect(await firebase.verify(rs256({}))).toBeNull();
    });

    it('refuses malformed tokens and tokens of another project, before any key is fetched', async () => {
      expect(await firebase.verify('not-a-token')).toBeNull();
      expect(await firebase.verify(rs256({ aud: 'someone-else' }))).toBeNull();
      expect(await firebase.verify(`${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'ann' })}.c2ln`)).toBeNull();
    });
  });

  // Against the Firebase Auth emulator (README, Firebase): real ID tokens, real revocation checks.
  describe.runIf(emulatorHost)(`with the Auth emulator at ${emulatorHost ?? 'unset'}`, () => {
    const firebase = createFirebaseAuth({ projectId: PROJECT });
    afterAll(() => firebase.close());

    async function accounts(action: 'signUp' | 'signInWithPassword', body: Record<string, unknown>): Promise<{ idToken: string; localId: string }> {
      const response = await fetch(`http://${emulatorHost}/identitytoolkit.googleapis.com/v1/accounts:${action}?key=emulator`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, returnSecureToken: true }),
      });
      if (!response.ok) throw new Error(`${action}: ${response.status} ${await response.text()}`);
      return (await response.json()) as { idToken: string; localId: string };
    }

    /** Revocation is recorded in whole seconds: a sign-in in the second of a revocation still counts. */
    async function pastSecondOf(token: string): Promise<void> {
      const { auth_time: authTime } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { auth_time: number };
      await vi.waitFor(() => expect(Math.floor(Date.now() / 1000)).toBeGreaterThan(authTime), { timeout: 3_000, interval: 50 });
    }

    it('accepts ID tokens, and refuses them on connect once the user\'s sessions are revoked', async () => {
      const credentials = { email: `${randomUUID()}@example.com`, password: 'secret-123' };
      const { idToken, localId } = await accounts('signUp', credentials);
      const identity = await firebase.verify(idToken);
      expect(identity).toMatchObject({ userId: localId });

      await pastSecondOf(idToken);
      await firebase.revokeSessions(localId);
      expect(await firebase.verify(idToken)).toBeNull();

      const again = await accounts('signInWithPassword', credentials);
      const next = await firebase.verify(again.idToken);
      expect(next).toMatchObject({ userId: localId });
      expect(next!.sessionId).not.toBe(identity!.sessionId);
    });
  });
});
