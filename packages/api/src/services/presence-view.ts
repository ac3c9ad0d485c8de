import type { UserRecord } from '@parley/db';
import { topics } from '../schema/bus.ts';
import type { PresenceState, User } from '../schema/shapes.ts';
import type { Deps } from '../ports.ts';

export function toUser(record: UserRecord, connections: number): User {
  return {
    id: record.id,
    displayName: record.displayName,
    status: record.status,
    statusText: record.statusText,
    online: connections > 0,
    lastSeenAt: record.lastSeenAt,
  };
}

export function toPresence(record: UserRecord, connections: number): PresenceState {
  return {
    type: 'presence',
    userId: record.id,
    online: connections > 0,
    status: record.status,
    statusText: record.statusText,
    lastSeenAt: record.lastSeenAt,
    connections,
  };
}

export async function usersWithPresence(deps: Deps, ids: string[]): Promise<Array<{ record: UserRecord; connections: number }>> {
  const [records, counts] = await Promise.all([deps.store.getUsers(ids), deps.presence.connectionCounts(ids)]);
  return records.map((record) => ({ record, connections: counts.get(record.id) ?? 0 }));
}

/** Tells the user's contacts (through their conversations) and the user's own devices. */
export async function publishPresence(deps: Deps, userId: string): Promise<void> {
  const [found] = await usersWithPresence(deps, [userId]);
  if (!found) return;
  const event = { t: 'presence', state: toPresence(found.record, found.connections) } as const;
  deps.realtime.publish(topics.user(userId), event);
  for (const id of await deps.store.conversationIdsOf(userId)) deps.realtime.publish(topics.conversation(id), event);
}
