import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '@parley/api';
import { startRedisServer, type RedisServerHandle } from '../../test/helpers/redis-server.ts';
import { useRedisServer } from '../../test/helpers/use-redis.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { createRedisClient } from '../redis-client.ts';
import { RedisKeys } from '../keys.ts';
import { MemoryPresence } from './memory-presence.ts';
import { describePresenceContract } from './presence.contract.ts';
import { RedisPresence, type RedisPresenceOptions } from './redis-presence.ts';

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
const redis = useRedisServer({ flush: true });

describePresenceContract('memory', async (instanceId) => new MemoryPresence({ instanceId }));

describePresenceContract('redis', async (instanceId) => {
  const presence = new RedisPresence({ redis: redis.url, keys, instanceId, log: captureLog().log });
  await presence.start();
  return presence;
});

describe('RedisPresence across instances', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const p of open.splice(0).reverse()) await p.close();
  });
  /** A started instance with a short TTL; `redis` defaults to a connection of its own. */
  const instance = async (instanceId: string, options: Partial<RedisPresenceOptions> = {}) => {
    const presence = new RedisPresence({ redis: redis.url, keys, instanceId, ttlMs: 600, log: captureLog().log, ...options });
    open.push(presence);
    await presence.start();
    return presence;
  };
  const conn = (userId: string, connectionId: string) => ({ userId, sessionId: `s-${connectionId}`, connectionId });

  it('shares connections and transitions between instances', async () => {
    const [a, b] = [await instance('a'), await instance('b')];
    expect(await a.connect(conn('ann', 'c1'))).toEqual({ connections: 1, becameOnline: true });
    expect(await b.connect(conn('ann', 'c2'))).toEqual({ connections: 2, becameOnline: false });
    expect((await b.connectionCounts(['ann'])).get('ann')).toBe(2);
    expect((await a.connectionsOf('ann')).map((c) => c.instanceId).sort()).toEqual(['a', 'b']);
    expect(await a.stats()).toEqual({ instances: 2, connections: 2, users: ['ann'] });
    expect(a.localStats()).toEqual({ id: 'a', connections: 1, users: 1 });
    expect(await a.disconnect(conn('ann', 'c1'))).toEqual({ connections: 1, becameOffline: false });
    expect(await b.disconnect(conn('ann', 'c2'))).toEqual({ connections: 0, becameOffline: true });
  });

  it('sweeps a dead instance once and reports every user who lost connections there', async () => {
    const lost: string[][] = [];
    let reported!: () => void;
    const firstReport = new Promise<void>((resolve) => (reported = resolve));
    const onLost = (userIds: string[]) => {
      lost.push([...userIds].sort());
      reported();
    };
    const [a, c] = [await instance('a', { onLost }), await instance('c', { onLost })];
    // The victim has a connection we can cut, like a process killed with -9: no cleanup runs.
    const victimLink = createRedisClient(redis.url, 'victim');
    const victim = await instance('victim', { redis: victimLink });
    await victim.connect(conn('ann', 'v1'));
    await victim.connect(conn('ann', 'v2'));
    await victim.connect(conn('bob', 'v3'));
    await a.connect(conn('bob', 'a1'));
    expect((await a.stats()).instances).toBe(3);

    victimLink.disconnect();
    const cut = Date.now();
    await firstReport;
    expect(Date.now() - cut).toBeLessThan(2000);
    expect(lost).toEqual([['ann', 'bob']]);
    expect(await a.connectionCounts(['ann', 'bob'])).toEqual(
      new Map([
        ['ann', 0],
        ['bob', 1],
      ]),
    );
    expect(await c.stats()).toEqual({ instances: 2, connections: 1, users: ['bob'] });
    expect(await redis.admin.exists(keys.presenceInstance('victim'))).toBe(0);
    // Both survivors have swept since (stats sweeps first): exactly one claimed the dead instance.
    await a.stats();
    expect(lost).toHaveLength(1);
  });

  it('leaves gracefully on close without reporting anyone', async () => {
    const lost: string[] = [];
    const a = await instance('a', { onLost: (ids) => lost.push(...ids) });
    const b = new RedisPresence({ redis: redis.url, keys, instanceId: 'b', ttlMs: 600, log: captureLog().log });
    await b.start();
    await b.connect(conn('cat', 'b1'));
    expect((await a.stats()).instances).toBe(2);
    await b.close();
    expect(await a.stats()).toEqual({ instances: 1, connections: 0, users: [] });
    expect((await a.connectionCounts(['cat'])).get('cat')).toBe(0);
    expect(lost).toEqual([]);
  });

  it('works on a shared connection, which close leaves open', async () => {
    const shared = createRedisClient(redis.url, 'shared');
    const p = await instance('a', { redis: shared });
    await p.connect(conn('ann', 'c1'));
    open.splice(open.indexOf(p), 1);
    await p.close();
    expect(shared.status).toBe('ready');
    expect(await shared.exists(keys.presenceUser('ann'))).toBe(0);
    shared.disconnect();
  });

  it('removes what a previous process with the same id left behind', async () => {
    const lost: string[] = [];
    const old = createRedisClient(redis.url, 'old');
    const first = new RedisPresence({ redis: old, keys, instanceId: 'pod-1', ttlMs: 60_000, log: captureLog().log });
    await first.start();
    await first.connect(conn('dan', 'old-1'));
    old.disconnect();
    await instance('pod-1', { ttlMs: 60_000, onLost: (ids) => lost.push(...ids) });
    expect(lost).toEqual(['dan']);
    await first.close();
  });
});

describe('RedisPresence through a Redis outage', () => {
  let own: RedisServerHandle;
  beforeAll(async () => {
    own = await startRedisServer();
  });
  afterAll(async () => {
    await own?.stop();
  });

  it('keeps answering for this instance, logs once, and writes its connections back', async () => {
    const { log, lines } = captureLog();
    const p = new RedisPresence({ redis: own.url, keys, instanceId: 'a', ttlMs: 600, log });
    await p.start();
    await p.connect({ userId: 'ann', sessionId: 's1', connectionId: 'c1' });
    await p.connect({ userId: 'bob', sessionId: 's2', connectionId: 'c2' });

    await own.kill();
    expect(await p.connect({ userId: 'ann', sessionId: 's3', connectionId: 'c3' })).toEqual({ connections: 2, becameOnline: false });
    expect(await p.connect({ userId: 'cat', sessionId: 's4', connectionId: 'c4' })).toEqual({ connections: 1, becameOnline: true });
    expect(await p.disconnect({ userId: 'bob', sessionId: 's2', connectionId: 'c2' })).toEqual({ connections: 0, becameOffline: true });
    expect(await p.connectionCounts(['ann', 'bob', 'cat'])).toEqual(
      new Map([
        ['ann', 2],
        ['bob', 0],
        ['cat', 1],
      ]),
    );
    expect(await p.stats()).toEqual({ instances: 1, connections: 3, users: ['ann', 'cat'] });

    await own.restart();
    // The restarted server is empty: the instance restores its own connections.
    const direct = new Redis(own.url);
    await waitFor(async () => (await direct.hlen(keys.presenceUser('ann'))) === 2, { what: 'presence to be written back' });
    expect(await direct.smembers(keys.presenceOnline)).toEqual(expect.arrayContaining(['ann', 'cat']));
    expect(await direct.hkeys(keys.presenceInstance('a'))).toEqual(expect.arrayContaining(['c1', 'c3', 'c4']));
    const stats = await p.stats();
    expect({ ...stats, users: [...stats.users].sort() }).toEqual({ instances: 1, connections: 3, users: ['ann', 'cat'] });
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(lines.filter((l) => l.msg.includes('written back'))).toHaveLength(1);
    await p.close();
    expect(await direct.dbsize()).toBe(0);
    direct.disconnect();
  });
});
