import type { Redis } from 'ioredis';
import { createRedisClient, quitRedis, whenReady } from '../redis-client.ts';
import type { Logger } from '@parley/api';
import type { RedisKeys } from '../keys.ts';
import type { Broker } from './broker.ts';


export interface RedisBrokerOptions {
  url: string;
  keys: RedisKeys;
  log: Logger;
  /** Publishes awaiting Redis's reply beyond which new ones are dropped, so a slow Redis cannot grow memory. @default 10000 */
  maxInFlight?: number;
}

export interface BrokerStats {
  /** Acknowledged by Redis. */
  published: number;
  /** Not sent or not acknowledged: link down, in-flight limit, or lost with the connection. */
  dropped: number;
  /** Delivered to `onMessage` handlers. */
  received: number;
}

type LinkState = 'starting' | 'up' | 'down' | 'closed';

/**
 * Pub/sub over two connections (a subscribed connection cannot publish on RESP2). The wanted topic
 * set is ours, not ioredis's: it is applied whenever the subscriber becomes ready, so subscribe and
 * unsubscribe may run during an outage, and reconnect handlers run only once every topic is back.
 */
export class RedisBroker implements Broker {
  readonly #keys: RedisKeys;
  readonly #log: Logger;
  readonly #maxInFlight: number;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #topics = new Set<string>();
  readonly #messageHandlers: Array<(topic: string, payload: string) => void> = [];
  readonly #reconnectHandlers: Array<() => void> = [];
  readonly #stats: BrokerStats = { published: 0, dropped: 0, received: 0 };
  #inFlight = 0;
  #state: LinkState = 'starting';
  #downSince = 0;
  #lastError = '';
  /** Set once the subscriber is ready and every wanted topic is subscribed on this connection. */
  #subSynced = false;
  /** Bumped on every subscriber close, so a resubscription that straddles one is not trusted. */
  #subEpoch = 0;

  constructor(options: RedisBrokerOptions) {
    this.#keys = options.keys;
    this.#log = options.log;
    this.#maxInFlight = options.maxInFlight ?? 10_000;
    // No auto-pipelining: it holds a publish until setImmediate, i.e. until after the local fan-out
    // loop that follows it (see Node.publish), which cross-instance latency would then include.
    this.#pub = createRedisClient(options.url, 'broker-pub', { enableAutoPipelining: false });
    this.#sub = createRedisClient(options.url, 'broker-sub', { autoResubscribe: false });
    for (const conn of [this.#pub, this.#sub]) {
      conn.on('error', (error: Error) => {
        this.#lastError = error.message;
      });
      conn.on('close', () => this.#linkLost());
    }
    this.#pub.on('ready', () => this.#linkMaybeUp());
    this.#sub.on('close', () => {
      this.#subSynced = false;
      this.#subEpoch++;
    });
    this.#sub.on('ready', () => void this.#resubscribe());
    this.#sub.on('message', (channel: string, payload: string) => this.#receive(channel, payload));
  }

  get healthy(): boolean {
    return this.#state === 'up';
  }

  stats(): BrokerStats {
    return { ...this.#stats };
  }

  publish(topic: string, payload: string): void {
    if (this.#pub.status !== 'ready' || this.#inFlight >= this.#maxInFlight) {
      this.#stats.dropped++;
      return;
    }
    this.#inFlight++;
    this.#pub.publish(this.#keys.channel(topic), payload).then(
      () => {
        this.#inFlight--;
        this.#stats.published++;
      },
      () => {
        this.#inFlight--;
        this.#stats.dropped++;
      },
    );
  }

  async subscribe(topic: string): Promise<void> {
    this.#topics.add(topic);
    if (this.#sub.status !== 'ready') return;
    // A failure here means the connection dropped: the ready handler resubscribes everything.
    await this.#sub.subscribe(this.#keys.channel(topic)).catch(() => {});
  }

  async unsubscribe(topic: string): Promise<void> {
    this.#topics.delete(topic);
    if (this.#sub.status !== 'ready') return;
    await this.#sub.unsubscribe(this.#keys.channel(topic)).catch(() => {});
  }

  onMessage(handler: (topic: string, payload: string) => void): void {
    this.#messageHandlers.push(handler);
  }

  onReconnect(handler: () => void): void {
    this.#reconnectHandlers.push(handler);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#topics.clear();
    await Promise.all([quitRedis(this.#pub), quitRedis(this.#sub)]);
  }

  async #resubscribe(): Promise<void> {
    const epoch = this.#subEpoch;
    const channels = [...this.#topics].map((topic) => this.#keys.channel(topic));
    try {
      // Chunked so one reconnect does not send a single multi-megabyte command.
      for (let i = 0; i < channels.length; i += 1000) await this.#sub.subscribe(...channels.slice(i, i + 1000));
    } catch {
      return; // the connection dropped again; the next ready event retries
    }
    if (epoch !== this.#subEpoch) return;
    this.#subSynced = true;
    this.#linkMaybeUp();
  }

  #receive(channel: string, payload: string): void {
    const topic = this.#keys.topicOf(channel);
    // Messages can still arrive between unsubscribe() and Redis's confirmation.
    if (topic === null || !this.#topics.has(topic)) return;
    this.#stats.received++;
    for (const handler of this.#messageHandlers) {
      try {
        handler(topic, payload);
      } catch (error) {
        this.#log.error('broker message handler failed', { topic, error: String(error) });
      }
    }
  }

  #linkLost(): void {
    if (this.#state !== 'up' && this.#state !== 'starting') return;
    this.#state = 'down';
    this.#downSince = Date.now();
    this.#log.warn('redis broker link down: events reach only this instance', { error: this.#lastError });
  }

  #linkMaybeUp(): void {
    if (this.#state === 'up' || this.#state === 'closed') return;
    if (this.#pub.status !== 'ready' || !this.#subSynced) return;
    const wasDown = this.#state === 'down';
    this.#state = 'up';
    if (!wasDown) return;
    this.#log.info('redis broker link restored', { downMs: Date.now() - this.#downSince, topics: this.#topics.size });
    for (const handler of this.#reconnectHandlers) {
      try {
        handler();
      } catch (error) {
        this.#log.error('broker reconnect handler failed', { error: String(error) });
      }
    }
  }
}
