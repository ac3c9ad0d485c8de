/**
 * Every Redis key and channel name the server uses (BullMQ's `QueueKeys`): nothing else builds one,
 * so a prefix change or an audit of what Parley stores happens here.
 *
 * Presence keys share the `{presence}` hash tag: its scripts touch keys they discover while running
 * (the users of a dead instance), which Redis Cluster only allows inside one slot.
 */
export class RedisKeys {
  readonly prefix: string;
  readonly #channelPrefix: string;

  /** @param prefix put before every key and channel, @default 'parley:' */
  constructor(prefix = 'parley:') {
    this.prefix = prefix;
    this.#channelPrefix = `${prefix}ch:`;
  }

  /** Pub/sub channel of a broker topic. */
  channel(topic: string): string {
    return this.#channelPrefix + topic;
  }

  /** The topic of a channel built by `channel`, or null for a foreign channel. */
  topicOf(channel: string): string | null {
    return channel.startsWith(this.#channelPrefix) ? channel.slice(this.#channelPrefix.length) : null;
  }

  /** Sorted set: instance id scored by the Redis time (ms) its heartbeat expires. */
  get presenceInstances(): string {
    return `${this.prefix}{presence}:instances`;
  }

  /** Hash of one instance's connections: connectionId → userId. */
  presenceInstance(instanceId: string): string {
    return this.presenceInstancePrefix + instanceId;
  }

  /** For scripts that reach every live instance: `presenceInstance(id)` is this plus the id. */
  get presenceInstancePrefix(): string {
    return `${this.prefix}{presence}:instance:`;
  }

  /** Hash of one user's connections: connectionId → JSON `{ instanceId, sessionId, connectedAt }`. */
  presenceUser(userId: string): string {
    return this.presenceUserPrefix + userId;
  }

  /** For scripts that reach the users of an instance: `presenceUser(id)` is this plus the id. */
  get presenceUserPrefix(): string {
    return `${this.prefix}{presence}:user:`;
  }

  /** Set of users with at least one connection. */
  get presenceOnline(): string {
    return `${this.prefix}{presence}:online`;
  }

  /** Hash `{ tokens, at }` of one token bucket. */
  rate(key: string): string {
    return `${this.prefix}rate:${key}`;
  }

  /** String `<instance>|<deadline ms>` while a user types in a conversation. */
  typing(conversationId: string, userId: string): string {
    // Encoded so that no pair of ids can produce another pair's key.
    return `${this.prefix}typing:${encodeURIComponent(conversationId)}:${encodeURIComponent(userId)}`;
  }

  /** BullMQ's own prefix: its queues live under `<prefix>bull:<queue>:…` (BullMQ names those keys). */
  get bullPrefix(): string {
    return `${this.prefix}bull`;
  }

  /** String, the state of one offline notification (`pending` or `sent`), so it goes out at most once. */
  notifyLedger(messageId: string, recipientId: string): string {
    return `${this.prefix}notify:${encodeURIComponent(messageId)}:${encodeURIComponent(recipientId)}`;
  }
}
