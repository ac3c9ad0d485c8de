import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger, RateLimiter } from '@parley/api';
import { startRedisServer } from '../../test/helpers/redis-server.ts';
import { useRedisServer } from '../../test/helpers/use-redis.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { createRedisClient, whenReady } from '../redis-client.ts';
import { RedisKeys } from '../keys.ts';
import { MemoryLimiter } from './memory-limiter.ts';
import { RedisLimiter } from './redis-limiter.ts';

function captureLog() {
  const lines: Array<{ level: string; msg: string }> = [];
  const log: Logger = {
    info: (msg) => lines.push({ level: 'info', msg }),
    warn: (msg) => lines.push({ level: 'warn', msg }),
    error: (msg) => lines.push({ level: 'error', msg }),
  };
  return { log, lines };
}

const keys = new RedisKeys('test:');
const redis = useRedisServer();
const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});
/** On a connected client, since a limiter that cannot reach Redis allows everything. */
async function redisLimiter(url = redis.url, log: Logger = captureLog().log): Promise<RedisLimiter> {
  const client = createRedisClient(url, 'limiter');
  clients.push(client);
  expect(await whenReady(client, 5000)).toBe(true);
  return new RedisLimiter({ redis: client, keys, log });
}

describe.each([
  { name: 'memory', create: async (): Promise<RateLimiter> => new MemoryLimiter() },
  { name: 'redis', create: (): Promise<RateLimiter> => redisLimiter() },
])('RateLimiter contract: $name', ({ create }) => {
  let seq = 0;
  const key = () => `user-${++seq}`;

  it('allows a burst, then refuses', async () => {
    const limiter = await create();
    const k = key();
    const rule = { perSecond: 0.5, burst: 3 };
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await limiter.consume(k, rule));
    expect(results).toEqual([true, true, true, false, false]);
  });

  it('refills over time at the given rate', async () => {
    const limiter = await create();
    const k = key();
    const rule = { perSecond: 20, burst: 1 };
    expect(await limiter.consume(k, rule)).toBe(true);
    expect(await limiter.consume(k, rule)).toBe(false);
    const started = Date.now();
    await waitFor(() => limiter.consume(k, rule), { intervalMs: 5, what: 'a token' });
    // One token per 50 ms; timers and the first refused attempt make it a little less exact.
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
    expect(await limiter.consume(k, rule)).toBe(false);
  });

  it('keeps keys independent', async () => {
    const limiter = await create();
    const [k1, k2] = [key(), key()];
    const rule = { perSecond: 0.1, burst: 1 };
    expect(await limiter.consume(k1, rule)).toBe(true);
    expect(await limiter.consume(k1, rule)).toBe(false);
    expect(await limiter.consume(k2, rule)).toBe(true);
  });

  it('never limits a rule of 0 per second', async () => {
    const limiter = await create();
    const k = key();
    for (let i = 0; i < 100; i++) expect(await limiter.consume(k, { perSecond: 0, burst: 0 })).toBe(true);
  });
});

describe('RedisLimiter', () => {
  it('shares one bucket between instances, and lets it expire once full again', async () => {
    const [a, b] = [await redisLimiter(), await redisLimiter()];
    const rule = { perSecond: 2, burst: 2 };
    expect(await a.consume('shared', rule)).toBe(true);
    expect(await b.consume('shared', rule)).toBe(true);
    expect(await a.consume('shared', rule)).toBe(false);
    expect(await b.consume('shared', rule)).toBe(false);

    const direct = new Redis(redis.url);
    const ttl = await direct.pttl(keys.rate('shared'));
    // Empty bucket: 2 tokens at 2 per second refill in 1 s, plus a second of margin.
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(2000);
    direct.disconnect();
  });

  it('fails open while Redis is unreachable, logging once per outage', async () => {
    await using own = await startRedisServer();
    const { log, lines } = captureLog();
    const limiter = await redisLimiter(own.url, log);
    const rule = { perSecond: 0.1, burst: 1 };
    expect(await limiter.consume('k', rule)).toBe(true);
    expect(await limiter.consume('k', rule)).toBe(false);

    await own.kill();
    for (let i = 0; i < 5; i++) expect(await limiter.consume('k', rule)).toBe(true);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);

    await own.restart();
    await waitFor(async () => !(await limiter.consume('k', rule)), { what: 'limiting to resume' });
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info']);
  });
});
