import type { AppendMessageInput, Message } from '../store.ts';
import { newId } from './ids.ts';
import { toMessage, type MessageRow } from './rows.ts';
import { isUniqueViolation, type SqlDriver } from './sql-driver.ts';

const FIND = 'select * from messages where conversation_id = $1 and sender_id = $2 and client_message_id = $3';

/**
 * A send in one statement (one round trip, no BEGIN/COMMIT): an earlier copy of the key is returned
 * as is; otherwise the conversation's counter is bumped and the message inserted with it. The
 * UPDATE holds the conversation row until commit, so concurrent sends of a conversation take seqs in
 * turn, and clock_timestamp() is read after the row lock is granted: within a conversation createdAt
 * never decreases as seq grows.
 *
 * Two concurrent sends of one clientMessageId both see no copy; the second waits on the row lock and
 * then fails on the idempotency index. A failed statement undoes its own bump, so it spends no seq,
 * and the retry below reads the first one's message.
 */
const APPEND = `
  with existing as (
    select * from messages where conversation_id = $1 and sender_id = $3 and client_message_id = $4
  ), bumped as (
    update conversations set last_seq = last_seq + 1, last_message_id = $2, last_message_at = clock_timestamp()
    where id = $1 and not exists (select 1 from existing)
    returning last_seq, last_message_at
  ), inserted as (
    insert into messages (conversation_id, seq, id, sender_id, client_message_id, body, created_at)
    select $1, last_seq, $2, $3, $4, $5, last_message_at from bumped
    returning *
  )
  select inserted.*, true as created from inserted
  union all
  select existing.*, false as created from existing`;

export async function appendMessage(db: SqlDriver, input: AppendMessageInput): Promise<{ message: Message; created: boolean }> {
  const key = [input.conversationId, input.senderId, input.clientMessageId];
  try {
    const [row] = await db.query<MessageRow & { created: boolean }>(APPEND, [input.conversationId, newId('m'), input.senderId, input.clientMessageId, input.text]);
    if (!row) throw new Error(`unknown conversation ${input.conversationId}`);
    const { created, ...message } = row;
    return { message: toMessage(message), created };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const [existing] = await db.query<MessageRow>(FIND, key);
    if (!existing) throw error;
    return { message: toMessage(existing), created: false };
  }
}
