import { afterEach, describe, expect, it } from 'vitest';
import type { Broker } from './broker.ts';

/** Records what a broker delivers, and resolves waits as messages arrive. */
export function collect(broker: Broker) {
  const received: Array<{ topic: string; payload: string }> = [];
  const waiters: Array<{ until: () => boolean; resolve: () => void }> = [];
  broker.onMessage((topic, payload) => {
    received.push({ topic, payload });
    for (const waiter of [...waiters]) {
      if (!waiter.until()) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const payloads = (topic: string) => received.filter((m) => m.topic === topic).map((m) => m.payload);
  return {
    received,
    payloads,
    /** Resolves once `payload` arrived on `topic`. */
    until(topic: string, payload: string): Promise<void> {
      const until = () => payloads(topic).includes(payload);
      return until() ? Promise.resolve() : new Promise((resolve) => waiters.push({ until, resolve }));
    },
    /** Resolves once `count` messages arrived on `topic`. */
    count(topic: string, count: number): Promise<void> {
      const until = () => payloads(topic).length >= count;
      return until() ? Promise.resolve() : new Promise((resolve) => waiters.push({ until, resolve }));
    },
  };
}

/**
 * What every broker guarantees. `connect` returns a broker, ready to use, on the network shared by
 * every broker it returned; topics are fresh per test, so the network may outlive a test.
 */
export function describeBrokerContract(name: string, connect: () => Promise<Broker>): void {
  describe(`Broker contract: ${name}`, () => {
    const open: Broker[] = [];
    let seq = 0;
    const topic = (label: string) => `contract.${label}.${++seq}`;
    const broker = async () => {
      const b = await connect();
      open.push(b);
      return b;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    it('delivers only the topics it subscribed to', async () => {
      const [a, b] = [await broker(), await broker()];
      const inbox = collect(a);
      const wanted = topic('wanted');
      const other = topic('other');
      await a.subscribe(wanted);
      b.publish(other, 'not for a');
      b.publish(wanted, 'for a');
      // One publisher's messages arrive in order, so `other` would have come first.
      await inbox.until(wanted, 'for a');
      expect(inbox.received).toEqual([{ topic: wanted, payload: 'for a' }]);
    });

    it('links brokers both ways and delivers a broker its own messages', async () => {
      const [a, b] = [await broker(), await broker()];
      const [inA, inB] = [collect(a), collect(b)];
      const t = topic('shared');
      await Promise.all([a.subscribe(t), b.subscribe(t)]);
      a.publish(t, 'from a');
      b.publish(t, 'from b');
      await Promise.all([inA.count(t, 2), inB.count(t, 2)]);
      expect(inA.payloads(t).sort()).toEqual(['from a', 'from b']);
      expect(inB.payloads(t).sort()).toEqual(['from a', 'from b']);
    });

    it('stops delivering once unsubscribed', async () => {
      const [a, b] = [await broker(), await broker()];
      const inbox = collect(a);
      const [t, fence] = [topic('leaving'), topic('fence')];
      await Promise.all([a.subscribe(t), a.subscribe(fence)]);
      b.publish(t, 'before');
      await inbox.until(t, 'before');
      await a.unsubscribe(t);
      b.publish(t, 'after');
      b.publish(fence, 'fence');
      await inbox.until(fence, 'fence');
      expect(inbox.payloads(t)).toEqual(['before']);
    });

    it('keeps payloads intact: unicode, control characters, 100 KB', async () => {
      const [a, b] = [await broker(), await broker()];
      const inbox = collect(a);
      const t = topic('bytes');
      await a.subscribe(t);
      const unicode = 'héllo wörld — 你好 👋🏽 \u0000\u0001\r\n"\\ \ud83d\ude00';
      const large = JSON.stringify({ text: '✓'.repeat(20_000), pad: 'x'.repeat(40_000) });
      expect(Buffer.byteLength(large)).toBeGreaterThan(100_000);
      b.publish(t, unicode);
      b.publish(t, large);
      await inbox.count(t, 2);
      expect(inbox.payloads(t)).toEqual([unicode, large]);
    });

    it('preserves the order of one publisher on one topic', async () => {
      const [a, b] = [await broker(), await broker()];
      const inbox = collect(a);
      const t = topic('order');
      await a.subscribe(t);
      const sent = Array.from({ length: 1000 }, (_, i) => `m${i}`);
      for (const payload of sent) b.publish(t, payload);
      await inbox.count(t, sent.length);
      expect(inbox.payloads(t)).toEqual(sent);
    });
  });
}
