import type { Redis } from 'ioredis';
import type { Logger, TypingTracker } from '@parley/api';
import { createRedisClient, defineScript, quitRedis } from '../redis-client.ts';
import type { RedisKeys } from '../keys.ts';
import type { TypingOptions } from './memory-typing.ts';

export interface RedisTypingOptions extends TypingOptions {
  /** A connection (shared with other roles, left open by `close`) or a URL (own connection). */
  redis: Redis | string;
  keys: RedisKeys;
  /** Marks this instance's touches; must differ between instances. */
  instanceId: string;
  log: Logger;
}

const now = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS: typist. ARGV: instanceId, timeoutMs, keyTtlMs. Returns 1 when the user was not typing.
 * The value names the last instance to touch and the deadline; the key outlives the deadline so
 * that another instance can still find it and expire it when that instance is gone.
 */
const startLua = `${now}
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. (now + tonumber(ARGV[2])), 'PX', ARGV[3])
return 1 - existed`;

/**
 * KEYS: typist. ARGV: instanceId, takeoverMs.
 * Returns -1 when there is nothing left to expire (stopped, or expired by another instance), 0 when
 * this caller expired it (and must report it), or the ms to wait before asking again. The last
 * toucher expires at the deadline; any other toucher only `takeoverMs` later, in case the last one
 * died. Deleting inside the check is what makes exactly one caller see 0.
 */
const expireLua = `${now}
local value = redis.call('GET', KEYS[1])
if not value then return -1 end
local holder, deadline = string.match(value, '^(.*)|(%d+)$')
local due = tonumber(deadline)
if holder ~= ARGV[1] then due = due + tonumber(ARGV[2]) end
if now < due then return due - now end
redis.call('DEL', KEYS[1])
return 0`;

/**
 * Typing state shared by every instance. Each instance that touched a typist keeps a timer; when it
 * fires, Redis decides whether the typist went quiet and who reports it, so `onExpire` runs on one
 * instance only, however the touches alternated. While Redis is down nothing is tracked.
 */
export class RedisTyping implements TypingTracker {
  readonly #redis: Redis;
  readonly #ownsRedis: boolean;
  readonly #keys: RedisKeys;
  readonly #instanceId: string;
  readonly #timeoutMs: number;
  readonly #takeoverMs: number;
  readonly #onExpire: TypingOptions['onExpire'];
  readonly #log: Logger;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #start;
  readonly #expire;
  #failing = false;
  #closed = false;

  constructor(options: RedisTypingOptions) {
    this.#ownsRedis = typeof options.redis === 'string';
    this.#redis = typeof options.redis === 'string' ? createRedisClient(options.redis, 'typing') : options.redis;
    this.#keys = options.keys;
    this.#instanceId = options.instanceId;
    this.#timeoutMs = options.timeoutMs ?? 6000;
    this.#takeoverMs = Math.max(500, Math.floor(this.#timeoutMs / 2));
    this.#onExpire = options.onExpire;
    this.#log = options.log;
    this.#start = defineScript<number>(this.#redis, 'parleyTypingStart', 1, startLua);
    this.#expire = defineScript<number>(this.#redis, 'parleyTypingExpire', 1, expireLua);
  }

  /** Typists this instance holds a timer for. */
  get pending(): number {
    return this.#timers.size;
  }

  async start(conversationId: string, userId: string): Promise<boolean> {
    const key = this.#keys.typing(conversationId, userId);
    try {
      const fresh = await this.#start(key, this.#instanceId, this.#timeoutMs, this.#timeoutMs + 2 * this.#takeoverMs);
      this.#ok();
      this.#arm(key, conversationId, userId, this.#timeoutMs);
      return fresh === 1;
    } catch (error) {
      this.#fail(error);
      return false;
    }
  }

  async stop(conversationId: string, userId: string): Promise<boolean> {
    const key = this.#keys.typing(conversationId, userId);
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    try {
      const removed = await this.#redis.del(key);
      this.#ok();
      return removed === 1;
    } catch (error) {
      this.#fail(error);
      return false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    if (this.#ownsRedis) await quitRedis(this.#redis);
  }

  #arm(key: string, conversationId: string, userId: string, ms: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timers.get(key));
    const timer = setTimeout(() => void this.#fire(key, conversationId, userId, timer), ms);
    timer.unref();
    this.#timers.set(key, timer);
  }

  async #fire(key: string, conversationId: string, userId: string, timer: NodeJS.Timeout): Promise<void> {
    let verdict: number;
    try {
      verdict = await this.#expire(key, this.#instanceId, this.#takeoverMs);
      this.#ok();
    } catch (error) {
      // Without Redis no instance can tell who reports; the clients' own timeouts clear the indicator.
      this.#fail(error);
      verdict = -1;
    }
    const current = this.#timers.get(key) === timer;
    if (verdict === 0) {
      // Ours to report even if a stop() raced in: that stop found nothing to delete and reports nothing.
      if (current) this.#timers.delete(key);
      try {
        this.#onExpire(conversationId, userId);
      } catch (error) {
        this.#log.error('typing onExpire handler failed', { error: String(error) });
      }
      return;
    }
    // Otherwise a start() or stop() while the script ran replaced or removed this timer: theirs is newer.
    if (!current) return;
    if (verdict > 0) this.#arm(key, conversationId, userId, verdict);
    else this.#timers.delete(key);
  }

  #ok(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#log.info('typing reaches redis again');
  }

  #fail(error: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.#log.warn('typing cannot reach redis: typing indicators are off', { error: String(error) });
  }
}
