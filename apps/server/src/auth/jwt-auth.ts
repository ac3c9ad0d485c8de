import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, importSPKI, jwtVerify, type JWTPayload } from 'jose';
import type { Authenticator, Identity } from '@parley/api';

export interface JwtAuthOptions {
  mode: 'dev' | 'jwt';
  /** HS256 secret; in dev mode a random one is made when unset (tokens then die with the process). */
  secret?: string;
  /** RS256 public key (PEM), for outside issuers in jwt mode. */
  publicKey?: string;
  /** Lifetime of dev tokens. @default '30d' */
  devTokenTtl?: string;
}

const ISSUER = 'parley-dev';

/**
 * Dev mode signs its own HS256 tokens; jwt mode verifies an outside issuer's HS256/RS256 tokens, with
 * `sub` as the user. A token without a session claim (`sid`, else `jti`) is its own session.
 */
export async function createJwtAuth(options: JwtAuthOptions): Promise<Authenticator> {
  const secret = options.secret ?? (options.mode === 'dev' ? randomBytes(32).toString('base64url') : undefined);
  const hmacKey = secret ? new TextEncoder().encode(secret) : undefined;
  const rsaKey: CryptoKey | undefined = options.publicKey ? await importSPKI(options.publicKey, 'RS256') : undefined;
  if (!hmacKey && !rsaKey) throw new Error('AUTH_MODE=jwt needs JWT_SECRET or JWT_PUBLIC_KEY');

  const identityOf = (payload: JWTPayload, token: string): Identity | null => {
    if (typeof payload.sub !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(payload.sub)) return null;
    const claimed = typeof payload.sid === 'string' ? payload.sid : payload.jti;
    const sessionId = claimed && /^[A-Za-z0-9_.-]{1,128}$/.test(claimed) ? claimed : `t_${createHash('sha256').update(token).digest('base64url').slice(0, 32)}`;
    const name = typeof payload.name === 'string' ? payload.name.slice(0, 60) : undefined;
    return { userId: payload.sub, sessionId, ...(name ? { displayName: name } : {}) };
  };

  return {
    mode: options.mode,
    async verify(token) {
      for (const key of [hmacKey, rsaKey]) {
        if (!key) continue;
        try {
          const { payload } = await jwtVerify(token, key, { algorithms: key === rsaKey ? ['RS256'] : ['HS256'] });
          return identityOf(payload, token);
        } catch {
          // Try the next key; an invalid token ends as null below.
        }
      }
      return null;
    },
    async issue(identity) {
      if (!hmacKey) throw new Error('this server cannot sign tokens');
      return new SignJWT({ sid: identity.sessionId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(identity.userId)
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(options.devTokenTtl ?? '30d')
        .sign(hmacKey);
    },
  };
}
