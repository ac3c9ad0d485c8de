import { createStore } from '@parley/db';
import { createFirebaseAuth } from './auth/firebase-auth.ts';
import { createJwtAuth } from './auth/jwt-auth.ts';
import { startServer } from './app.ts';
import { apiConfigFrom, instanceIdFrom, storeConfigFrom } from './config.ts';
import { readEnv } from './env.ts';
import { createLogger } from './log.ts';
import { createMemoryRoles } from './roles.ts';
import { createRedisRoles, RedisUnreachableError } from './redis-roles.ts';

// Wiring only: environment → store → roles → server. Everything else lives in its module.
async function main(): Promise<void> {
  const env = readEnv();
  const instanceId = instanceIdFrom(env);
  const log = createLogger({ level: env.LOG_LEVEL, instanceId });
  const store = await createStore(storeConfigFrom(env));
  const roles = env.REDIS_URL === 'memory://'
    ? createMemoryRoles({ instanceId, typingTimeoutMs: env.TYPING_TIMEOUT_MS })
    : await createRedisRoles({ url: env.REDIS_URL, instanceId, log, presenceTtlMs: env.PRESENCE_TTL_MS, typingTimeoutMs: env.TYPING_TIMEOUT_MS });
  const firebaseAuth = env.AUTH_MODE === 'firebase'
    ? createFirebaseAuth({ ...(env.FIREBASE_PROJECT_ID ? { projectId: env.FIREBASE_PROJECT_ID } : {}), log })
    : null;
  const auth = firebaseAuth ?? await createJwtAuth({
    mode: env.AUTH_MODE === 'firebase' ? 'jwt' : env.AUTH_MODE,
    ...(env.JWT_SECRET ? { secret: env.JWT_SECRET } : {}),
    ...(env.JWT_PUBLIC_KEY ? { publicKey: env.JWT_PUBLIC_KEY } : {}),
  });
  const server = await startServer({
    port: env.PORT,
    host: env.HOST,
    instanceId,
    store,
    roles,
    auth,
    config: apiConfigFrom(env),
    pongWaitMs: env.PONG_WAIT_MS,
    maxPayloadBytes: env.MAX_PAYLOAD_BYTES,
    log,
  });
  process.stdout.write(`listening on ${server.port}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    await server.close();
    await roles.close();
    await firebaseAuth?.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof RedisUnreachableError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`parley failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
