import type { ConnectionInfo } from '@parley/api/schema';
import type { PresenceConnection, PresenceManager } from '@parley/api';

/** Presence of one process: complete for a single instance, and the reference for the Redis one. */
export class MemoryPresence implements PresenceManager {
  readonly #instanceId: string;
  readonly #byUser = new Map<string, Map<string, ConnectionInfo>>();
  #connections = 0;

  constructor(options: { instanceId: string }) {
    this.#instanceId = options.instanceId;
  }

  async connect(conn: PresenceConnection): Promise<{ connections: number; becameOnline: boolean }> {
    let mine = this.#byUser.get(conn.userId);
    const becameOnline = !mine || mine.size === 0;
    if (!mine) this.#byUser.set(conn.userId, (mine = new Map()));
    if (!mine.has(conn.connectionId)) this.#connections++;
    mine.set(conn.connectionId, {
      connectionId: conn.connectionId,
      sessionId: conn.sessionId,
      instanceId: this.#instanceId,
      connectedAt: new Date(),
    });
    return { connections: mine.size, becameOnline };
  }

  async disconnect(conn: PresenceConnection): Promise<{ connections: number; becameOffline: boolean }> {
    const mine = this.#byUser.get(conn.userId);
    if (!mine || !mine.delete(conn.connectionId)) return { connections: mine?.size ?? 0, becameOffline: false };
    this.#connections--;
    if (mine.size > 0) return { connections: mine.size, becameOffline: false };
    this.#byUser.delete(conn.userId);
    return { connections: 0, becameOffline: true };
  }

  async connectionCounts(userIds: string[]): Promise<Map<string, number>> {
    return new Map(userIds.map((id) => [id, this.#byUser.get(id)?.size ?? 0]));
  }

  async connectionsOf(userId: string): Promise<ConnectionInfo[]> {
    return [...(this.#byUser.get(userId)?.values() ?? [])];
  }

  async stats(): Promise<{ instances: number; connections: number; users: string[] }> {
    return { instances: 1, connections: this.#connections, users: [...this.#byUser.keys()] };
  }

  localStats(): { id: string; connections: number; users: number } {
    return { id: this.#instanceId, connections: this.#connections, users: this.#byUser.size };
  }
}
