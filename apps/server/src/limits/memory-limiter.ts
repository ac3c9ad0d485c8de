import type { RateLimiter, RateRule } from '@parley/api';

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets in this process. Idle buckets are dropped once full again, so memory stays bounded. */
export class MemoryLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  /** @param now clock in ms, @default Date.now */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async consume(key: string, rule: RateRule): Promise<boolean> {
    if (rule.perSecond <= 0) return true;
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: rule.burst, at: now };
    const tokens = Math.min(rule.burst, bucket.tokens + ((now - bucket.at) / 1000) * rule.perSecond);
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, at: now });
      return false;
    }
    this.#buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.#buckets.size > 10_000) this.#prune(now, rule);
    return true;
  }

  #prune(now: number, rule: RateRule): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * rule.perSecond >= rule.burst) this.#buckets.delete(key);
    }
  }
}
