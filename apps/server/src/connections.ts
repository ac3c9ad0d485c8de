import { randomBytes } from 'node:crypto';
import type WebSocket from 'ws';
import { publishPresence, type ConnectionState, type Deps, type Identity, type TopicSubscription } from '@parley/api';
import { topics } from '@parley/api/schema';

/** Close code for a session that ended (logout, idle timeout): the client must sign in again. */
export const SESSION_ENDED = 4401;
/** Leaves time for a `session.timeout` notice to be written before the close frame. */
const CLOSE_AFTER_NOTICE_MS = 150;

interface Live {
  ws: WebSocket;
  identity: Identity;
  state: ConnectionState;
  events: TopicSubscription;
  /** Presence registration; a close waits for it so a fast close never leaves a stale entry. */
  connected: Promise<unknown>;
}

/**
 * The authenticated WebSockets of this instance: presence on open and close, heartbeats on answered
 * pings, and the close of every socket of a session that ended on any instance.
 */
export class ConnectionRegistry {
  readonly #live = new Map<string, Live>();
  readonly #deps: Deps;

  constructor(deps: Deps) {
    this.#deps = deps;
  }

  newState(ws: WebSocket): ConnectionState {
    // The signal is made on first use (a subscription): most connections never need one, and an
    // AbortController with its listener is a few hundred bytes on each of tens of thousands of sockets.
    let controller: AbortController | undefined;
    return {
      connectionId: `k_${randomBytes(9).toString('base64url')}`,
      ended: false,
      get closed() {
        if (!controller) {
          const made = (controller = new AbortController());
          if (ws.readyState === ws.CLOSED) made.abort();
          else ws.once('close', () => made.abort());
        }
        return controller.signal;
      },
    };
  }

  async attach(ws: WebSocket, identity: Identity, state: ConnectionState): Promise<void> {
    const deps = this.#deps;
    const conn = { userId: identity.userId, sessionId: identity.sessionId, connectionId: state.connectionId };
    const events = deps.realtime.subscribe([topics.user(identity.userId)], (_topic, event) => {
      if (event.t === 'session.end' && event.sessionId === identity.sessionId) this.#end(state.connectionId);
    });
    const connected = deps.presence.connect(conn);
    this.#live.set(state.connectionId, { ws, identity, state, events, connected });
    ws.on('message', (data, isBinary) => {
      // Length first: this runs for every frame of every connection.
      if (!isBinary && Buffer.isBuffer(data) && data.length === 4 && data.toString() === 'PONG') deps.activity.touch(identity.sessionId);
    });
    // `on`, not `once`: 'close' fires once, and `once` adds a wrapper object and a bound function per socket.
    ws.on('close', () => void this.#detach(state.connectionId, conn));
    if (ws.readyState === ws.CLOSED) void this.#detach(state.connectionId, conn);
    const { becameOnline } = await connected;
    if (becameOnline) await deps.store.setLastSeen(identity.userId, new Date());
    await publishPresence(deps, identity.userId);
  }

  get size(): number {
    return this.#live.size;
  }

  /** Closes every socket (shutdown); clients reconnect elsewhere. */
  closeAll(code = 1001, reason = 'server shutting down'): void {
    for (const { ws } of this.#live.values()) ws.close(code, reason);
  }

  #end(connectionId: string): void {
    const live = this.#live.get(connectionId);
    if (!live || live.state.ended) return;
    live.state.ended = true;
    setTimeout(() => live.ws.close(SESSION_ENDED, 'session ended: sign in again'), CLOSE_AFTER_NOTICE_MS).unref();
  }

  async #detach(connectionId: string, conn: { userId: string; sessionId: string; connectionId: string }): Promise<void> {
    const live = this.#live.get(connectionId);
    if (!live) return;
    this.#live.delete(connectionId);
    live.events.close();
    const deps = this.#deps;
    try {
      await live.connected;
      const { becameOffline } = await deps.presence.disconnect(conn);
      if (becameOffline) await deps.store.setLastSeen(conn.userId, new Date());
      await publishPresence(deps, conn.userId);
    } catch (error) {
      deps.log.warn('presence update on close failed', { userId: conn.userId, error: String(error) });
    }
  }
}
