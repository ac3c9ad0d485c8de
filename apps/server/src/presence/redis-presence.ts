import type { Redis } from 'ioredis';
import type { ConnectionInfo } from '@parley/api/schema';
import type { Logger, PresenceConnection, PresenceManager } from '@parley/api';
import { createRedisClient, defineScript, quitRedis, whenReady } from '../redis-client.ts';
import type { RedisKeys } from '../keys.ts';

export interface RedisPresenceOptions {
  /** A connection (shared with other roles, left open by `close`) or a URL (own connection). */
  redis: Redis | string;
  keys: RedisKeys;
  instanceId: string;
  /** Time after its last heartbeat when an instance counts as dead. @default 30000 */
  ttlMs?: number;
  /** Heartbeat and dead-instance sweep period. @default ttlMs / 3 */
  refreshMs?: number;
  /**
   * Users who lost connections without a disconnect (a dead instance, or updates lost in an outage):
   * offline now, or online with fewer devices. Their watchers need a fresh presence event.
   */
  onLost?: (userIds: string[]) => void;
  log: Logger;
}

// All times are Redis's (TIME), so instances with skewed clocks agree on who is dead.
const now = `local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * Drops the connections of the instance whose hash is KEYS[2] and returns the users left with none.
 * A hash is read whole, so one instance's connections leave in one script run.
 */
const dropConnections = `local function drop(instanceKey, onlineKey, userPrefix, keep)
  local lost, seen = {}, {}
  local have = redis.call('HGETALL', instanceKey)
  for i = 1, #have, 2 do
    local conn, user = have[i], have[i + 1]
    if keep[conn] ~= user then
      redis.call('HDEL', instanceKey, conn)
      local userKey = userPrefix .. user
      if redis.call('HDEL', userKey, conn) == 1 then
        if redis.call('EXISTS', userKey) == 0 then redis.call('SREM', onlineKey, user) end
        if not seen[user] then
          seen[user] = true
          lost[#lost + 1] = user
        end
      end
    end
  end
  return lost
end
`;

/**
 * KEYS: instances, instance, user, online. ARGV: instanceId, connectionId, userId, info, ttlMs.
 * Returns { connections, becameOnline, heartbeatWasMissing }: a missing heartbeat means another
 * instance took us for dead and removed our connections, so the caller re-registers them.
 */
const connectLua = `${now}
local missing = redis.call('ZADD', KEYS[1], 'NX', now() + tonumber(ARGV[5]), ARGV[1])
local before = redis.call('HLEN', KEYS[3])
redis.call('HSETNX', KEYS[3], ARGV[2], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[4], ARGV[3])
return { redis.call('HLEN', KEYS[3]), before == 0 and 1 or 0, missing }`;

/** KEYS: instance, user, online. ARGV: connectionId, userId. Returns { connections, becameOffline }. */
const disconnectLua = `redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HDEL', KEYS[2], ARGV[1]) == 0 then return { redis.call('HLEN', KEYS[2]), 0 } end
local left = redis.call('HLEN', KEYS[2])
if left == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
return { left, left == 0 and 1 or 0 }`;

/** KEYS: instances. ARGV: instanceId, ttlMs. Returns { heartbeatWasMissing, deadInstanceIds }. */
const beatLua = `${now}
local t = now()
local added = redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[1])
return { added, redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. t, 'LIMIT', 0, 100) }`;

/**
 * KEYS: instances, instance, online. ARGV: instanceId, userPrefix, force.
 * Removes an instance and its connections, returning the users that went offline. Unless forced
 * (our own graceful leave), only while the instance is still expired: the check and the removal are
 * one atomic step, so of several sweeping instances exactly one claims it, and an instance that
 * refreshed in between is left alone. Null when not claimed.
 */
const releaseLua = `${now}
${dropConnections}
if ARGV[3] ~= '1' then
  local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if not expiry or tonumber(expiry) >= now() then return false end
end
redis.call('ZREM', KEYS[1], ARGV[1])
local lost = drop(KEYS[2], KEYS[3], ARGV[2], {})
redis.call('DEL', KEYS[2])
return lost`;

/**
 * KEYS: instances, instance, online. ARGV: instanceId, ttlMs, userPrefix, JSON [[conn, user, info]].
 * Makes Redis hold exactly this instance's connections: after an outage (updates were lost), after
 * being taken for dead, or at start (a previous process with the same id). Returns the users that
 * went offline by it.
 */
const syncLua = `${now}
${dropConnections}
redis.call('ZADD', KEYS[1], now() + tonumber(ARGV[2]), ARGV[1])
local keep = {}
for _, c in ipairs(cjson.decode(ARGV[4])) do
  keep[c[1]] = c[2]
  redis.call('HSET', KEYS[2], c[1], c[2])
  redis.call('HSETNX', ARGV[3] .. c[2], c[1], c[3])
  redis.call('SADD', KEYS[3], c[2])
end
return drop(KEYS[2], KEYS[3], ARGV[3], keep)`;

/** KEYS: instances, online. ARGV: instancePrefix. Returns { liveInstances, connections, users }. */
const statsLua = `${now}
local live = redis.call('ZRANGEBYSCORE', KEYS[1], now(), '+inf')
local connections = 0
for _, id in ipairs(live) do connections = connections + redis.call('HLEN', ARGV[1] .. id) end
return { #live, connections, redis.call('SMEMBERS', KEYS[2]) }`;

interface Local {
  userId: string;
  sessionId: string;
  connectedAt: Date;
}

/** The JSON of a user-hash field; short names because there is one per connection. */
interface StoredInfo {
  i: string;
  s: string;
  t: number;
}

/**
 * Live connections per user, cluster-wide, read straight from Redis; throws when Redis does not
 * answer (for callers that must not guess, like the offline-notification job).
 */
export async function countConnections(redis: Redis, keys: RedisKeys, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const pipeline = redis.pipeline();
  for (const id of userIds) pipeline.hlen(keys.presenceUser(id));
  const replies = (await pipeline.exec()) ?? [];
  return new Map(
    userIds.map((id, i) => {
      const [error, count] = replies[i] ?? [new Error('no reply')];
      if (error) throw error;
      return [id, Number(count)];
    }),
  );
}

/**
 * Cluster-wide presence (Centrifuge's Redis presence): each instance keeps a heartbeat in a sorted
 * set and its connections in Redis; a live instance's sweep removes a dead one's connections and
 * reports the users who thereby went offline.
 *
 * This instance's own connections are also kept in memory, which makes `localStats` synchronous and
 * lets Redis be repaired from them: while Redis is down, updates apply locally and reads answer for
 * this instance alone, and the next heartbeat that reaches Redis writes the local truth back.
 */
export class RedisPresence implements PresenceManager {
  readonly #redis: Redis;
  readonly #ownsRedis: boolean;
  readonly #keys: RedisKeys;
  readonly #instanceId: string;
  readonly #ttlMs: number;
  readonly #refreshMs: number;
  readonly #onLost: (userIds: string[]) => void;
  readonly #log: Logger;
  readonly #local = new Map<string, Local>();
  readonly #perUser = new Map<string, number>();
  readonly #scripts;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  /** Redis may disagree with `#local`: the next tick rewrites it. True until the first sync. */
  #dirty = true;
  #degraded = false;
  #closed = false;

  constructor(options: RedisPresenceOptions) {
    this.#ownsRedis = typeof options.redis === 'string';
    this.#redis = typeof options.redis === 'string' ? createRedisClient(options.redis, 'presence') : options.redis;
    this.#keys = options.keys;
    this.#instanceId = options.instanceId;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#refreshMs = options.refreshMs ?? Math.floor(this.#ttlMs / 3);
    this.#onLost = options.onLost ?? (() => {});
    this.#log = options.log;
    const r = this.#redis;
    this.#scripts = {
      connect: defineScript<[number, number, number]>(r, 'parleyPresenceConnect', 4, connectLua),
      disconnect: defineScript<[number, number]>(r, 'parleyPresenceDisconnect', 3, disconnectLua),
      beat: defineScript<[number, string[]]>(r, 'parleyPresenceBeat', 1, beatLua),
      release: defineScript<string[] | null>(r, 'parleyPresenceRelease', 3, releaseLua),
      sync: defineScript<string[]>(r, 'parleyPresenceSync', 3, syncLua),
      stats: defineScript<[number, number, string[]]>(r, 'parleyPresenceStats', 2, statsLua),
    };
  }

  /** Registers this instance and starts the heartbeat; waits for Redis at most one refresh period. */
  async start(): Promise<void> {
    if (this.#timer || this.#closed) return;
    this.#timer = setInterval(() => void this.#tick(), this.#refreshMs);
    this.#timer.unref();
    // Back from an outage: repair Redis now rather than at the next heartbeat.
    this.#redis.on('ready', this.#onReady);
    await whenReady(this.#redis, this.#refreshMs);
    await this.#tick();
  }

  async connect(conn: PresenceConnection): Promise<{ connections: number; becameOnline: boolean }> {
    // A socket that finishes opening during shutdown must not register this instance again.
    if (this.#closed) return { connections: 0, becameOnline: false };
    const known = this.#local.has(conn.connectionId);
    const connectedAt = this.#local.get(conn.connectionId)?.connectedAt ?? new Date();
    if (!known) {
      this.#local.set(conn.connectionId, { userId: conn.userId, sessionId: conn.sessionId, connectedAt });
      this.#perUser.set(conn.userId, (this.#perUser.get(conn.userId) ?? 0) + 1);
    }
    const k = this.#keys;
    const info: StoredInfo = { i: this.#instanceId, s: conn.sessionId, t: connectedAt.getTime() };
    try {
      const [connections, becameOnline, missing] = await this.#scripts.connect(
        k.presenceInstances, k.presenceInstance(this.#instanceId), k.presenceUser(conn.userId), k.presenceOnline,
        this.#instanceId, conn.connectionId, conn.userId, JSON.stringify(info), this.#ttlMs,
      );
      if (missing === 1 && this.#timer) {
        this.#dirty = true;
        void this.#tick();
      }
      return { connections, becameOnline: becameOnline === 1 };
    } catch (error) {
      this.#degrade(error);
      const connections = this.#perUser.get(conn.userId) ?? 0;
      return { connections, becameOnline: !known && connections === 1 };
    }
  }

  async disconnect(conn: PresenceConnection): Promise<{ connections: number; becameOffline: boolean }> {
    if (this.#closed) return { connections: 0, becameOffline: false };
    const known = this.#local.delete(conn.connectionId);
    if (known) {
      const left = (this.#perUser.get(conn.userId) ?? 1) - 1;
      if (left > 0) this.#perUser.set(conn.userId, left);
      else this.#perUser.delete(conn.userId);
    }
    const k = this.#keys;
    try {
      const [connections, becameOffline] = await this.#scripts.disconnect(
        k.presenceInstance(this.#instanceId), k.presenceUser(conn.userId), k.presenceOnline,
        conn.connectionId, conn.userId,
      );
      return { connections, becameOffline: becameOffline === 1 };
    } catch (error) {
      this.#degrade(error);
      const connections = this.#perUser.get(conn.userId) ?? 0;
      return { connections, becameOffline: known && connections === 0 };
    }
  }

  async connectionCounts(userIds: string[]): Promise<Map<string, number>> {
    try {
      return await countConnections(this.#redis, this.#keys, userIds);
    } catch (error) {
      this.#degrade(error);
      return new Map(userIds.map((id) => [id, this.#perUser.get(id) ?? 0]));
    }
  }

  async connectionsOf(userId: string): Promise<ConnectionInfo[]> {
    try {
      const fields = await this.#redis.hgetall(this.#keys.presenceUser(userId));
      return Object.entries(fields).map(([connectionId, json]) => {
        const info = JSON.parse(json) as StoredInfo;
        return { connectionId, instanceId: info.i, sessionId: info.s, connectedAt: new Date(info.t) };
      });
    } catch (error) {
      this.#degrade(error);
      return [...this.#local]
        .filter(([, c]) => c.userId === userId)
        .map(([connectionId, c]) => ({ connectionId, instanceId: this.#instanceId, sessionId: c.sessionId, connectedAt: c.connectedAt }));
    }
  }

  async stats(): Promise<{ instances: number; connections: number; users: string[] }> {
    // A sweep first, so instances that died since the last heartbeat are not counted.
    if (this.#timer) await this.#tick();
    const k = this.#keys;
    try {
      const [instances, connections, users] = await this.#scripts.stats(k.presenceInstances, k.presenceOnline, k.presenceInstancePrefix);
      return { instances, connections, users };
    } catch (error) {
      this.#degrade(error);
      return { instances: 1, connections: this.#local.size, users: [...this.#perUser.keys()] };
    }
  }

  localStats(): { id: string; connections: number; users: number } {
    return { id: this.#instanceId, connections: this.#local.size, users: this.#perUser.size };
  }

  /** Graceful leave: this instance's entries are removed without reporting anyone as lost. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#redis.off('ready', this.#onReady);
    await this.#ticking;
    const k = this.#keys;
    try {
      await this.#scripts.release(
        k.presenceInstances, k.presenceInstance(this.#instanceId), k.presenceOnline,
        this.#instanceId, k.presenceUserPrefix, '1',
      );
    } catch (error) {
      // Others will sweep our entries after the TTL and report our users then.
      this.#log.warn('presence could not leave cleanly', { error: String(error) });
    }
    this.#local.clear();
    this.#perUser.clear();
    if (this.#ownsRedis) await quitRedis(this.#redis);
  }

  readonly #onReady = (): void => void this.#tick();

  /** Heartbeat, repair and sweep, never two at once. */
  #tick(): Promise<void> {
    this.#ticking ??= this.#beat().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  async #beat(): Promise<void> {
    if (this.#closed) return;
    const k = this.#keys;
    try {
      const [missing, dead] = await this.#scripts.beat(k.presenceInstances, this.#instanceId, this.#ttlMs);
      if (missing === 1 || this.#dirty) await this.#sync();
      for (const id of dead) {
        const lost = await this.#scripts.release(k.presenceInstances, k.presenceInstance(id), k.presenceOnline, id, k.presenceUserPrefix, '0');
        if (lost === null) continue;
        this.#log.warn('presence removed a dead instance', { instance: id, lostUsers: lost.length });
        this.#report(lost);
      }
    } catch (error) {
      this.#degrade(error);
    }
  }

  async #sync(): Promise<void> {
    this.#dirty = false;
    const mine = [...this.#local].map(([connectionId, c]) => [
      connectionId,
      c.userId,
      JSON.stringify({ i: this.#instanceId, s: c.sessionId, t: c.connectedAt.getTime() } satisfies StoredInfo),
    ]);
    const k = this.#keys;
    const lost = await this.#scripts.sync(
      k.presenceInstances, k.presenceInstance(this.#instanceId), k.presenceOnline,
      this.#instanceId, this.#ttlMs, k.presenceUserPrefix, JSON.stringify(mine),
    );
    if (this.#degraded) {
      this.#degraded = false;
      this.#log.info('presence written back to redis', { connections: mine.length, lostUsers: lost.length });
    }
    this.#report(lost);
  }

  #report(userIds: string[]): void {
    if (userIds.length === 0) return;
    try {
      this.#onLost(userIds);
    } catch (error) {
      this.#log.error('presence onLost handler failed', { error: String(error) });
    }
  }

  #degrade(error: unknown): void {
    this.#dirty = true;
    if (this.#degraded || this.#closed) return;
    this.#degraded = true;
    this.#log.warn('presence cannot reach redis: answering for this instance only', { error: String(error) });
  }
}
