import type { Redis } from 'ioredis';
import type { Logger, RateLimiter, RateRule } from '@parley/api';
import { createRedisClient, defineScript, quitRedis } from '../redis-client.ts';
import type { RedisKeys } from '../keys.ts';

export interface RedisLimiterOptions {
  /** A connection (shared with other roles, left open by `close`) or a URL (own connection). */
  redis: Redis | string;
  keys: RedisKeys;
  log: Logger;
}

/**
 * KEYS: bucket. ARGV: perSecond, burst. Returns 1 when a token was taken.
 * Redis's clock, so every instance refills the bucket at the same rate whatever its own clock says.
 * The key expires once the bucket would be full again: an idle bucket and a missing one are equal.
 */
const consumeLua = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return allowed`;

/** Token buckets shared by every instance. Fails open: a Redis outage must not stop anyone sending. */
export class RedisLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #ownsRedis: boolean;
  readonly #keys: RedisKeys;
  readonly #log: Logger;
  readonly #consume;
  #failing = false;

  constructor(options: RedisLimiterOptions) {
    this.#ownsRedis = typeof options.redis === 'string';
    this.#redis = typeof options.redis === 'string' ? createRedisClient(options.redis, 'limiter') : options.redis;
    this.#keys = options.keys;
    this.#log = options.log;
    this.#consume = defineScript<number>(this.#redis, 'parleyRateConsume', 1, consumeLua);
  }

  async consume(key: string, rule: RateRule): Promise<boolean> {
    if (rule.perSecond <= 0) return true;
    try {
      const allowed = await this.#consume(this.#keys.rate(key), rule.perSecond, rule.burst);
      if (this.#failing) {
        this.#failing = false;
        this.#log.info('rate limiter reaches redis again');
      }
      return allowed === 1;
    } catch (error) {
      if (!this.#failing) {
        this.#failing = true;
        this.#log.warn('rate limiter cannot reach redis: allowing everything', { error: String(error) });
      }
      return true;
    }
  }

  async close(): Promise<void> {
    if (this.#ownsRedis) await quitRedis(this.#redis);
  }
}
