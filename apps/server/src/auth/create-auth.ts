import type { Authenticator, Logger } from '@parley/api';
import type { Env } from '../env.ts';
import { createFirebaseAuth } from './firebase-auth.ts';
import { createJwtAuth } from './jwt-auth.ts';

/** The authenticator `AUTH_MODE` names; `close` releases firebase-admin's app. */
export async function createAuth(env: Env, log: Logger): Promise<Authenticator & { close?(): Promise<void> }> {
  if (env.AUTH_MODE === 'firebase') return createFirebaseAuth({ ...(env.FIREBASE_PROJECT_ID ? { projectId: env.FIREBASE_PROJECT_ID } : {}), log });
  return createJwtAuth({
    mode: env.AUTH_MODE,
    ...(env.JWT_SECRET ? { secret: env.JWT_SECRET } : {}),
    ...(env.JWT_PUBLIC_KEY ? { publicKey: env.JWT_PUBLIC_KEY } : {}),
  });
}
