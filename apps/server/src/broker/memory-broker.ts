import type { Broker } from './broker.ts';

/** The in-process "network" that memory brokers of several nodes share. */
export class MemoryBus {
  readonly #members = new Set<MemoryBroker>();
  join(member: MemoryBroker): void {
    this.#members.add(member);
  }
  leave(member: MemoryBroker): void {
    this.#members.delete(member);
  }
  send(topic: string, payload: string): void {
    for (const member of this.#members) member.deliver(topic, payload);
  }
}

export class MemoryBroker implements Broker {
  readonly healthy = true;
  readonly #bus: MemoryBus;
  readonly #topics = new Set<string>();
  readonly #handlers: Array<(topic: string, payload: string) => void> = [];

  /** @param bus shared with the other nodes of this process; a private one when omitted */
  constructor(bus: MemoryBus = new MemoryBus()) {
    this.#bus = bus;
    bus.join(this);
  }

  publish(topic: string, payload: string): void {
    // Asynchronous like a real broker, so a publisher never re-enters its own delivery.
    queueMicrotask(() => this.#bus.send(topic, payload));
  }
  async subscribe(topic: string): Promise<void> {
    this.#topics.add(topic);
  }
  async unsubscribe(topic: string): Promise<void> {
    this.#topics.delete(topic);
  }
  onMessage(handler: (topic: string, payload: string) => void): void {
    this.#handlers.push(handler);
  }
  onReconnect(): void {}
  deliver(topic: string, payload: string): void {
    if (!this.#topics.has(topic)) return;
    for (const handler of this.#handlers) handler(topic, payload);
  }
  async close(): Promise<void> {
    this.#bus.leave(this);
    this.#topics.clear();
  }
}
