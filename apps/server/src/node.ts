import type { BusEvent } from '@parley/api/schema';
import type { Listener, Logger, Realtime, TopicSubscription } from '@parley/api';
import type { Broker } from './broker/broker.ts';
import { decodeEnvelope, encodeEnvelope } from './broker/envelope.ts';
import { Hub } from './hub.ts';

/** The text every envelope of `instanceId` starts with (`{"o":"<id>",`), taken from the encoder itself. */
function ownEnvelopePrefix(instanceId: string): string {
  const probe = encodeEnvelope(instanceId, null as unknown as BusEvent);
  return probe.slice(0, probe.indexOf('"e":'));
}

/**
 * One Parley instance's event plumbing (Centrifuge's `Node`): local listeners in the hub, other
 * instances through the broker. An event is encoded once and handed to the broker, then delivered
 * locally at once (a Redis outage never stops same-instance delivery), and dropped when it comes back
 * to its origin.
 */
export class Node implements Realtime {
  readonly instanceId: string;
  readonly #broker: Broker;
  readonly #log: Logger;
  readonly #hub: Hub;
  /** Broker subscriptions in flight or done, so listeners can wait for them. */
  readonly #subscribed = new Map<string, Promise<void>>();
  readonly #resync = new Set<() => void>();
  /** How this instance's own envelopes begin (see `encodeEnvelope`): they come back from the broker. */
  readonly #ownPrefix: string;

  constructor(options: { instanceId: string; broker: Broker; log: Logger }) {
    this.instanceId = options.instanceId;
    this.#ownPrefix = ownEnvelopePrefix(options.instanceId);
    this.#broker = options.broker;
    this.#log = options.log;
    this.#hub = new Hub({
      onFirst: (topic) => {
        const done = this.#broker.subscribe(topic).catch((error: unknown) => {
          this.#log.warn('broker subscribe failed', { topic, error: String(error) });
        });
        this.#subscribed.set(topic, done);
      },
      onLast: (topic) => {
        this.#subscribed.delete(topic);
        this.#broker.unsubscribe(topic).catch((error: unknown) => {
          this.#log.warn('broker unsubscribe failed', { topic, error: String(error) });
        });
      },
    });
    this.#broker.onMessage((topic, payload) => this.#receive(topic, payload));
    this.#broker.onReconnect(() => {
      for (const resync of this.#resync) resync();
    });
  }

  publish(topic: string, event: BusEvent): void {
    // Other instances first: the local loop over thousands of sockets takes milliseconds, and the
    // publish written after it would add them to every remote subscriber's latency.
    this.#broker.publish(topic, encodeEnvelope(this.instanceId, event));
    this.#hub.deliver(topic, event, this.#listenerFailed);
  }

  subscribe(topics: Iterable<string>, listener: Listener, onResync?: () => void): TopicSubscription {
    const mine = new Set<string>();
    const add = (topic: string): Promise<void> => {
      if (!mine.has(topic)) {
        mine.add(topic);
        this.#hub.add(topic, listener);
      }
      return this.#subscribed.get(topic) ?? Promise.resolve();
    };
    const list = [...topics];
    // One topic (every connection's own user topic): its shared broker promise, no new ones.
    const ready = list.length === 1 ? add(list[0]!) : Promise.all(list.map(add)).then(() => undefined);
    if (onResync) this.#resync.add(onResync);
    return {
      ready,
      add,
      delete: (topic) => {
        if (mine.delete(topic)) this.#hub.delete(topic, listener);
      },
      close: () => {
        for (const topic of mine) this.#hub.delete(topic, listener);
        mine.clear();
        if (onResync) this.#resync.delete(onResync);
      },
    };
  }

  get brokerHealthy(): boolean {
    return this.#broker.healthy;
  }

  stats(): { topics: number } {
    return { topics: this.#hub.topicCount() };
  }

  #receive(topic: string, payload: string): void {
    // Every event this instance publishes comes back once per topic it follows: drop it unparsed.
    if (payload.startsWith(this.#ownPrefix)) return;
    let envelope;
    try {
      envelope = decodeEnvelope(payload);
    } catch (error) {
      this.#log.warn('dropped an undecodable envelope', { topic, error: String(error) });
      return;
    }
    if (envelope.o === this.instanceId) return;
    this.#hub.deliver(topic, envelope.e, this.#listenerFailed);
  }

  readonly #listenerFailed = (error: unknown): void => {
    this.#log.error('listener failed', { error: String(error) });
  };
}
