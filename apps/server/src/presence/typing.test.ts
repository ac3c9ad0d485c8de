import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Logger, TypingTracker } from '@parley/api';
import { startRedisServer } from '../../test/helpers/redis-server.ts';
import { useRedisServer } from '../../test/helpers/use-redis.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { createRedisClient, whenReady } from '../redis-client.ts';
import { RedisKeys } from '../keys.ts';
import { MemoryTyping } from './memory-typing.ts';
import { RedisTyping } from './redis-typing.ts';

function captureLog() {
  const lines: Array<{ level: string; msg: string }> = [];
  const log: Logger = {
    info: (msg) => lines.push({ level: 'info', msg }),
    warn: (msg) => lines.push({ level: 'warn', msg }),
    error: (msg) => lines.push({ level: 'error', msg }),
  };
  return { log, lines };
}

/** Lets time pass where the point is that nothing happens in it. */
const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records `onExpire` calls and resolves a wait on each. */
function expiries() {
  const calls: Array<{ conversationId: string; userId: string; at: number; by: string }> = [];
  let notify = () => {};
  return {
    calls,
    onExpire: (by: string) => (conversationId: string, userId: string) => {
      calls.push({ conversationId, userId, at: Date.now(), by });
      notify();
    },
    next(): Promise<void> {
      const seen = calls.length;
      return waitFor(() => calls.length > seen, { timeoutMs: 5000, what: 'an expiry' }).then(() => undefined);
    },
  };
}

const keys = new RedisKeys('test:');
const TIMEOUT = 200;
const redis = useRedisServer();
const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});
async function client(url = redis.url): Promise<Redis> {
  const c = createRedisClient(url, 'typing');
  clients.push(c);
  expect(await whenReady(c, 5000)).toBe(true);
  return c;
}

type Closable = TypingTracker & { close(): void | Promise<void> };
const open: Closable[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

describe.each([
  {
    name: 'memory',
    create: async (onExpire: (c: string, u: string) => void): Promise<Closable> => new MemoryTyping({ timeoutMs: TIMEOUT, onExpire }),
  },
  {
    name: 'redis',
    create: async (onExpire: (c: string, u: string) => void): Promise<Closable> =>
      new RedisTyping({ redis: await client(), keys, instanceId: 'a', timeoutMs: TIMEOUT, onExpire, log: captureLog().log }),
  },
])('TypingTracker contract: $name', ({ create }) => {
  let seq = 0;
  const tracker = async (onExpire: (c: string, u: string) => void = () => {}) => {
    const t = await create(onExpire);
    open.push(t);
    return t;
  };
  const conversation = () => `conv-${++seq}`;

  it('reports a change only: start, refresh, stop', async () => {
    const t = await tracker();
    const c = conversation();
    expect(await t.start(c, 'ann')).toBe(true);
    expect(await t.start(c, 'ann')).toBe(false);
    expect(await t.start(c, 'bob')).toBe(true);
    expect(await t.start(`${c}-other`, 'ann')).toBe(true);
    expect(await t.stop(c, 'ann')).toBe(true);
    expect(await t.stop(c, 'ann')).toBe(false);
    expect(await t.stop(c, 'nobody')).toBe(false);
    expect(await t.start(c, 'ann')).toBe(true);
  });

  it('expires a quiet typist exactly once, after the timeout from the last touch', async () => {
    const seen = expiries();
    const t = await tracker(seen.onExpire('a'));
    const c = conversation();
    await t.start(c, 'ann');
    // Touches every 50 ms keep the typist alive past two timeouts.
    for (let i = 0; i < 8; i++) {
      await idle(50);
      await t.start(c, 'ann');
    }
    expect(seen.calls).toEqual([]);
    const lastTouch = Date.now();
    await seen.next();
    expect(seen.calls).toMatchObject([{ conversationId: c, userId: 'ann' }]);
    expect(seen.calls[0]!.at - lastTouch).toBeGreaterThanOrEqual(TIMEOUT - 10);
    // After an expiry the typist counts as stopped.
    expect(await t.stop(c, 'ann')).toBe(false);
    expect(await t.start(c, 'ann')).toBe(true);
    await t.stop(c, 'ann');
    await idle(TIMEOUT * 2);
    expect(seen.calls).toHaveLength(1);
  });

  it('does not expire a typist who stopped', async () => {
    const seen = expiries();
    const t = await tracker(seen.onExpire('a'));
    const c = conversation();
    await t.start(c, 'ann');
    await t.stop(c, 'ann');
    await idle(TIMEOUT * 2);
    expect(seen.calls).toEqual([]);
  });
});

describe('RedisTyping across instances', () => {
  const instance = async (instanceId: string, onExpire: (c: string, u: string) => void, options: { redis?: Redis; log?: Logger } = {}) => {
    const redis = options.redis ?? (await client());
    const t = new RedisTyping({ redis, keys, instanceId, timeoutMs: TIMEOUT, onExpire, log: options.log ?? captureLog().log });
    open.push(t);
    return t;
  };

  it('shares state, and expires exactly once when touches alternate between instances', async () => {
    const seen = expiries();
    const [a, b] = [await instance('a', seen.onExpire('a')), await instance('b', seen.onExpire('b'))];
    expect(await a.start('x', 'ann')).toBe(true);
    expect(await b.start('x', 'ann')).toBe(false);
    for (let i = 0; i < 6; i++) {
      await idle(50);
      await (i % 2 ? a : b).start('x', 'ann');
    }
    // The last touch was a's.
    await seen.next();
    await waitFor(() => a.pending === 0 && b.pending === 0, { what: 'both timers to settle' });
    expect(seen.calls).toMatchObject([{ conversationId: 'x', userId: 'ann', by: 'a' }]);
    expect(await b.start('x', 'ann')).toBe(true);
    expect(await a.stop('x', 'ann')).toBe(true);
    await waitFor(() => a.pending === 0 && b.pending === 0, { what: 'both timers to settle' });
    expect(seen.calls).toHaveLength(1);
  });

  it('lets another instance expire the typist when the last one to touch it is gone', async () => {
    const seen = expiries();
    const a = await instance('a', seen.onExpire('a'));
    const b = await instance('b', seen.onExpire('b'));
    await a.start('y', 'bob');
    await b.start('y', 'bob');
    await b.close();
    await seen.next();
    expect(seen.calls).toMatchObject([{ conversationId: 'y', userId: 'bob', by: 'a' }]);
    await waitFor(() => a.pending === 0, { what: "a's timer to settle" });
    expect(seen.calls).toHaveLength(1);
  });

  it('does nothing, without throwing, while Redis is unreachable, and logs once', async () => {
    await using own = await startRedisServer();
    const { log, lines } = captureLog();
    const seen = expiries();
    const t = await instance('a', seen.onExpire('a'), { redis: await client(own.url), log });
    expect(await t.start('z', 'cat')).toBe(true);
    await own.kill();
    expect(await t.start('z', 'cat')).toBe(false);
    expect(await t.stop('z', 'cat')).toBe(false);
    expect(await t.start('z', 'dan')).toBe(false);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(t.pending).toBe(0);
  });
});
