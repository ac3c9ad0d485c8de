/**
 * The roles the routers depend on. `apps/server` builds the implementations (memory or Redis) and
 * injects them through the context; the routers never construct infrastructure.
 */
import type { Message, Store } from '@parley/db';
import type { BusEvent } from './schema/bus.ts';
import type { ConnectionInfo } from './schema/shapes.ts';

export type Listener = (topic: string, event: BusEvent) => void;

/** A set of topics one consumer listens to; topics can be added while it runs. */
export interface TopicSubscription {
  /** Resolves once events of every topic reach the listener, from every instance. */
  readonly ready: Promise<void>;
  /** Resolves like `ready`, for the added topic. */
  add(topic: string): Promise<void>;
  delete(topic: string): void;
  close(): void;
}

/** Publish/subscribe across every instance of the cluster (the server's `Node`). */
export interface Realtime {
  readonly instanceId: string;
  /** Delivers to local listeners at once and to other instances through the broker; never throws. */
  publish(topic: string, event: BusEvent): void;
  /** `onResync` runs after the cluster link comes back, so consumers can catch up from the store. */
  subscribe(topics: Iterable<string>, listener: Listener, onResync?: () => void): TopicSubscription;
}

export interface PresenceConnection {
  userId: string;
  sessionId: string;
  connectionId: string;
}

/** Who is connected, cluster-wide. */
export interface PresenceManager {
  connect(conn: PresenceConnection): Promise<{ connections: number; becameOnline: boolean }>;
  disconnect(conn: PresenceConnection): Promise<{ connections: number; becameOffline: boolean }>;
  /** Live connection counts (0 for offline users). */
  connectionCounts(userIds: string[]): Promise<Map<string, number>>;
  connectionsOf(userId: string): Promise<ConnectionInfo[]>;
  stats(): Promise<{ instances: number; connections: number; users: string[] }>;
  /** This instance only. */
  localStats(): { id: string; connections: number; users: number };
}

export interface RateRule {
  perSecond: number;
  burst: number;
}

/** Token buckets shared by every instance; a rule with `perSecond: 0` never limits. */
export interface RateLimiter {
  consume(key: string, rule: RateRule): Promise<boolean>;
}

/** Who is typing where; changes only, so repeated calls are coalesced. */
export interface TypingTracker {
  /** True when the user was not typing there before (so `isTyping: true` is broadcast). */
  start(conversationId: string, userId: string): Promise<boolean>;
  /** True when the user was typing (so `isTyping: false` is broadcast). */
  stop(conversationId: string, userId: string): Promise<boolean>;
}

export interface Identity {
  userId: string;
  sessionId: string;
  /** A display name the identity provider knows, used when the user is first seen. */
  displayName?: string;
}

export interface Authenticator {
  readonly mode: 'dev' | 'jwt' | 'firebase';
  /** The identity a token names, or null when it is invalid or expired. */
  verify(token: string): Promise<Identity | null>;
  /** Dev mode only: signs a token for an identity. */
  issue(identity: Identity): Promise<string>;
  /**
   * Ends the user's sessions at the identity provider too, when it keeps its own (Firebase: revokes
   * every refresh token of the user, so all their devices must sign in again, and refuses the ID tokens
   * of earlier sign-ins on connect). Absent when there is nothing to revoke (dev, jwt).
   */
  revokeSessions?(userId: string): Promise<void>;
}

/** Records session activity (calls, answered pings); written to the store in batches. */
export interface ActivityRecorder {
  touch(sessionId: string): void;
}

/** Background work that follows a stored message (the offline-notification job). */
export interface MessageJobs {
  /** Called once per newly stored message; never throws (a failure is logged, the send stands). */
  messageStored(message: Message): void;
}

export interface Limits {
  send: RateRule;
  typing: RateRule;
}

export interface ApiConfig {
  serviceToken: string | null;
  limits: Limits;
  pingIntervalMs: number;
  sessionIdleTimeoutMs: number;
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface Deps {
  store: Store;
  realtime: Realtime;
  presence: PresenceManager;
  limiter: RateLimiter;
  typing: TypingTracker;
  auth: Authenticator;
  activity: ActivityRecorder;
  jobs: MessageJobs;
  config: ApiConfig;
  log: Logger;
}
