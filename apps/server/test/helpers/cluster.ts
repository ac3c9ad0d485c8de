import { startInstance, type InstanceHandle } from './instance.ts';
import { freshDatabase, type TestDatabase } from './postgres.ts';
import { startRedisServer, type RedisServerHandle } from './redis-server.ts';
import { TEST_JWT_SECRET, TEST_SERVICE_TOKEN } from './test-server.ts';

export interface Cluster {
  redis: RedisServerHandle;
  db: TestDatabase;
  instances: InstanceHandle[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A Redis, a fresh Postgres database and `n` server processes sharing both, as in production. */
export async function startCluster(n: number, env: Record<string, string> = {}): Promise<Cluster> {
  const redis = await startRedisServer();
  const db = await freshDatabase();
  const common = {
    REDIS_URL: redis.url,
    STORE: 'postgres',
    DATABASE_URL: db.url,
    AUTH_MODE: 'dev',
    JWT_SECRET: TEST_JWT_SECRET,
    SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    RATE_SEND_PER_SEC: '0',
    ...env,
  };
  const instances: InstanceHandle[] = [];
  // One at a time: the first applies the migrations.
  for (let i = 0; i < n; i++) instances.push(await startInstance({ ...common, INSTANCE_ID: `i${i + 1}` }));
  const close = async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await redis.stop();
    await db.drop();
  };
  return { redis, db, instances, close, [Symbol.asyncDispose]: close };
}
