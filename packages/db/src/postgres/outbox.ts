import type { Message, OutboxNotification, Page } from '../store.ts';
import { newId } from './ids.ts';
import { cursorTime, decodeCursor, encodeCursor } from './keyset-cursor.ts';
import { toMessage, type MessageRow } from './rows.ts';
import type { SqlExecutor } from './sql-driver.ts';

interface NotificationRow {
  id: string;
  recipient_id: string;
  created_at: Date;
  /** `created_at` with its microseconds, for the cursor. */
  created_key: string;
  m_id: string;
  m_conversation_id: string;
  m_seq: MessageRow['seq'];
  m_sender_id: string;
  m_client_message_id: string;
  m_body: string;
  m_created_at: Date;
}

/** Columns of `notifications n join messages m`: the message is joined, not copied (messages never change). */
const COLUMNS = `n.id, n.recipient_id, n.created_at, ${cursorTime('n.created_at')} as created_key,
  m.id as m_id, m.conversation_id as m_conversation_id, m.seq as m_seq, m.sender_id as m_sender_id,
  m.client_message_id as m_client_message_id, m.body as m_body, m.created_at as m_created_at`;

const ADD = `
  with added as (
    insert into notifications (id, recipient_id, message_id) values ($1, $2, $3)
    on conflict (message_id, recipient_id) do nothing
    returning *
  )
  select ${COLUMNS} from added n join messages m on m.id = n.message_id`;

const ADD_MANY = `
  insert into notifications (id, recipient_id, message_id)
  select n.id, n.recipient_id, $3 from unnest($1::text[], $2::text[]) as n(id, recipient_id)
  on conflict (message_id, recipient_id) do nothing
  returning recipient_id`;

const FIND = `select ${COLUMNS} from notifications n join messages m on m.id = n.message_id where n.message_id = $1 and n.recipient_id = $2`;

// One row more than the page tells whether another page exists.
const LIST = `
  select ${COLUMNS} from notifications n join messages m on m.id = n.message_id
  where n.recipient_id = $1 and ($2::timestamptz is null or (n.created_at, n.id) < ($2::timestamptz, $3::text))
  order by n.created_at desc, n.id desc
  limit $4`;

function toNotification(row: NotificationRow): OutboxNotification {
  const message = toMessage({
    id: row.m_id,
    conversation_id: row.m_conversation_id,
    seq: row.m_seq,
    sender_id: row.m_sender_id,
    client_message_id: row.m_client_message_id,
    body: row.m_body,
    created_at: row.m_created_at,
  });
  return { id: row.id, recipientId: row.recipient_id, conversationId: message.conversationId, message, createdAt: row.created_at };
}

/**
 * Insert-or-nothing on the (message, recipient) key, then, when nothing was inserted, a read of the
 * first one. Under READ COMMITTED a concurrent insert of the same key waits for the first to commit
 * and then does nothing; the read is a separate statement, so its snapshot includes that commit
 * (inside the insert's own statement it would not). No transaction for the same reason.
 */
export async function addNotification(db: SqlExecutor, input: { recipientId: string; message: Message }): Promise<{ notification: OutboxNotification; created: boolean }> {
  const [added] = await db.query<NotificationRow>(ADD, [newId('n'), input.recipientId, input.message.id]);
  if (added) return { notification: toNotification(added), created: true };
  const [existing] = await db.query<NotificationRow>(FIND, [input.message.id, input.recipientId]);
  if (!existing) throw new Error(`notification of message ${input.message.id} for ${input.recipientId} neither stored nor found`);
  return { notification: toNotification(existing), created: false };
}

export async function listNotifications(db: SqlExecutor, userId: string, page: { limit: number; cursor?: string | null }): Promise<Page<OutboxNotification>> {
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const limit = Math.max(0, page.limit);
  const rows = await db.query<NotificationRow>(LIST, [userId, after?.at ?? null, after?.id ?? null, limit + 1]);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor({ at: last.created_key, id: last.id }) : null;
  return { items: items.map(toNotification), nextCursor };
}

/** One statement for all recipients: atomic, and a repeat of a (message, recipient) stores nothing. */
export async function addNotifications(db: SqlExecutor, input: { recipientIds: string[]; message: Message }): Promise<string[]> {
  const recipientIds = [...new Set(input.recipientIds)];
  if (recipientIds.length === 0) return [];
  const rows = await db.query<{ recipient_id: string }>(ADD_MANY, [recipientIds.map(() => newId('n')), recipientIds, input.message.id]);
  return rows.map((r) => r.recipient_id);
}
