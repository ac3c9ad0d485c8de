import type { ConversationSummary, Page } from '../store.ts';
import { cursorTime, decodeCursor, encodeCursor } from './keyset-cursor.ts';
import { MEMBER_IDS, toConversation, toMessage, type ConversationRow } from './rows.ts';
import type { SqlExecutor } from './sql-driver.ts';

interface SummaryRow extends ConversationRow {
  active_at: string;
  unread_count: number;
  m_id: string | null;
  m_seq: number | string;
  m_sender_id: string;
  m_client_message_id: string;
  m_body: string;
  m_created_at: Date;
}

// One query per page: members, last message and unread count come from correlated subqueries and a
// join. Fetches one row more than the page to know whether another page exists.
const LIST = `
  select c.id, c.title, c.created_at, ${MEMBER_IDS},
    ${cursorTime('c.active_at')} as active_at,
    (select count(*) from messages u
      where u.conversation_id = c.id and u.seq > me.read_seq and u.sender_id <> me.user_id)::int as unread_count,
    m.id as m_id, m.seq as m_seq, m.sender_id as m_sender_id, m.client_message_id as m_client_message_id,
    m.body as m_body, m.created_at as m_created_at
  from members me
  join conversations c on c.id = me.conversation_id
  left join messages m on m.id = c.last_message_id
  where me.user_id = $1 and ($2::timestamptz is null or (c.active_at, c.id) < ($2::timestamptz, $3::text))
  order by c.active_at desc, c.id desc
  limit $4`;

function toSummary(row: SummaryRow): ConversationSummary {
  const lastMessage = row.m_id === null ? null : toMessage({
    id: row.m_id,
    conversation_id: row.id,
    seq: row.m_seq,
    sender_id: row.m_sender_id,
    client_message_id: row.m_client_message_id,
    body: row.m_body,
    created_at: row.m_created_at,
  });
  return { ...toConversation(row), lastMessage, unreadCount: row.unread_count };
}

export async function listConversations(
  db: SqlExecutor,
  userId: string,
  page: { limit: number; cursor?: string | null },
): Promise<Page<ConversationSummary>> {
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const limit = Math.max(0, page.limit);
  const rows = await db.query<SummaryRow>(LIST, [userId, after?.at ?? null, after?.id ?? null, limit + 1]);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor({ at: last.active_at, id: last.id }) : null;
  return { items: items.map(toSummary), nextCursor };
}
