/**
 * Carries serialized envelopes between instances. The in-memory broker links nodes of one process;
 * the Redis broker links processes. Both only move bytes: the node encodes once and drops its own.
 */
export interface Broker {
  /** Hands one payload to every instance subscribed to `topic`. Never throws; while down, drops and counts. */
  publish(topic: string, payload: string): void;
  /** Resolves once messages on `topic` reach `onMessage` (or, while down, once it is remembered). */
  subscribe(topic: string): Promise<void>;
  unsubscribe(topic: string): Promise<void>;
  /** Every payload on a subscribed topic, this instance's own included. */
  onMessage(handler: (topic: string, payload: string) => void): void;
  /** After the link came back and every topic was subscribed again: consumers may have missed events. */
  onReconnect(handler: () => void): void;
  /** False while the link is down. */
  readonly healthy: boolean;
  close(): Promise<void>;
}
