import type { Redis } from 'ioredis';
import type { RedisKeys } from '../keys.ts';
import { defineScript } from '../redis-client.ts';
import { LEDGER_TTL_MS, type DeliveryLedger } from './ledger.ts';

/** KEYS: entry. Deletes it only while it is still a claim, never a `sent`. */
const releaseLua = `if redis.call('GET', KEYS[1]) == 'pending' then return redis.call('DEL', KEYS[1]) end return 0`;

/** The ledger on Redis (SET NX), shared by every worker. Errors propagate: the job is retried. */
export class RedisLedger implements DeliveryLedger {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #release;

  constructor(options: { redis: Redis; keys: RedisKeys }) {
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#release = defineScript<number>(options.redis, 'parleyLedgerRelease', 1, releaseLua);
  }

  async claim(messageId: string, recipientId: string): Promise<boolean> {
    const reply = await this.#redis.set(this.#keys.notifyLedger(messageId, recipientId), 'pending', 'PX', LEDGER_TTL_MS, 'NX');
    return reply === 'OK';
  }

  async sent(messageId: string, recipientId: string): Promise<void> {
    await this.#redis.set(this.#keys.notifyLedger(messageId, recipientId), 'sent', 'PX', LEDGER_TTL_MS);
  }

  async release(messageId: string, recipientId: string): Promise<void> {
    await this.#release(this.#keys.notifyLedger(messageId, recipientId));
  }
}
