import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HS256 JWTs for the baseline servers, so their connections are authenticated the way Parley's are
 * (one signature check per connection) and the idle-memory comparison holds an identity per socket.
 */
const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');
const HEADER = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export function signToken(secret: string, sub: string, ttlSeconds = 86_400): string {
  const now = Math.floor(Date.now() / 1000);
  const body = b64(JSON.stringify({ sub, iat: now, exp: now + ttlSeconds }));
  const sig = createHmac('sha256', secret).update(`${HEADER}.${body}`).digest('base64url');
  return `${HEADER}.${body}.${sig}`;
}

/** The user id, or null when the token is not ours or expired. */
export function verifyToken(secret: string, token: unknown): string | null {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [head, body, sig] = parts as [string, string, string];
  const want = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { sub?: unknown; exp?: unknown };
    if (typeof claims.sub !== 'string') return null;
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return null;
    return claims.sub;
  } catch {
    return null;
  }
}
