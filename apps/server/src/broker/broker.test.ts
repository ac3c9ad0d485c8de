import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '@parley/api';
import { useRedisServer } from '../../test/helpers/use-redis.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { RedisKeys } from '../keys.ts';
import { collect, describeBrokerContract } from './broker.contract.ts';
import { MemoryBroker, MemoryBus } from './memory-broker.ts';
import { RedisBroker } from './redis-broker.ts';

function captureLog() {
  const lines: Array<{ level: string; msg: string }> = [];
  const log: Logger = {
    info: (msg) => lines.push({ level: 'info', msg }),
    warn: (msg) => lines.push({ level: 'warn', msg }),
    error: (msg) => lines.push({ level: 'error', msg }),
  };
  return { log, lines };
}

const bus = new MemoryBus();
describeBrokerContract('memory', async () => new MemoryBroker(bus));

const redis = useRedisServer();

async function redisBroker(log: Logger = captureLog().log): Promise<RedisBroker> {
  const broker = new RedisBroker({ url: redis.url, keys: new RedisKeys('test:'), log });
  await waitFor(() => broker.healthy, { what: 'the broker to connect' });
  return broker;
}

describeBrokerContract('redis', () => redisBroker());

describe('RedisBroker', () => {
  it('names channels through the keys and counts what it moves', async () => {
    const broker = await redisBroker();
    const inbox = collect(broker);
    await broker.subscribe('room.1');
    broker.publish('room.1', 'hello');
    await inbox.until('room.1', 'hello');
    await waitFor(() => broker.stats().published === 1);
    expect(broker.stats()).toEqual({ published: 1, dropped: 0, received: 1 });
    await broker.close();
    await broker.close();
  });

  it('rides out a Redis crash: fails fast, logs once, resubscribes, then reports the reconnect', async () => {
    const { log, lines } = captureLog();
    const broker = await redisBroker(log);
    const inbox = collect(broker);
    await broker.subscribe('room.kept');
    let reconnects = 0;
    const reconnected = new Promise<void>((resolve) =>
      broker.onReconnect(() => {
        reconnects++;
        // Published from inside the handler: it arrives only if the subscription is already back.
        broker.publish('room.kept', 'from the reconnect handler');
        resolve();
      }),
    );

    await redis.server.kill();
    await waitFor(() => !broker.healthy, { what: 'the broker to notice' });
    const before = broker.stats().dropped;
    expect(() => broker.publish('room.kept', 'lost')).not.toThrow();
    // Dropped at once, or when the command fails if the publisher had not yet seen the close.
    await waitFor(() => broker.stats().dropped === before + 1, { what: 'the publish to be dropped' });
    // Subscribing during the outage is remembered and applied on reconnect.
    await broker.subscribe('room.added-while-down');
    await broker.unsubscribe('room.kept-not');
    // Several reconnect attempts fail in this time (100, 200, 300 ms apart): none may log.
    await new Promise((resolve) => setTimeout(resolve, 700));

    await redis.server.restart();
    await reconnected;
    expect(broker.healthy).toBe(true);
    await inbox.until('room.kept', 'from the reconnect handler');
    broker.publish('room.added-while-down', 'after');
    await inbox.until('room.added-while-down', 'after');

    expect(reconnects).toBe(1);
    expect(inbox.payloads('room.kept')).not.toContain('lost');
    expect(lines.filter((l) => l.msg.includes('link down'))).toHaveLength(1);
    expect(lines.filter((l) => l.msg.includes('link restored'))).toHaveLength(1);
    await broker.close();
  });

  it('closes promptly while Redis is unreachable', async () => {
    const broker = new RedisBroker({ url: 'redis://127.0.0.1:1', keys: new RedisKeys('test:'), log: captureLog().log });
    await broker.subscribe('nowhere');
    broker.publish('nowhere', 'x');
    expect(broker.healthy).toBe(false);
    const started = Date.now();
    await broker.close();
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
