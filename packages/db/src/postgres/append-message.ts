import type { AppendMessageInput, Message } from '../store.ts';
import { newId } from './ids.ts';
import { toMessage, type MessageRow } from './rows.ts';
import { isUniqueViolation, type SqlDriver } from './sql-driver.ts';

const FIND = 'select * from messages where conversation_id = $1 and sender_id = $2 and client_message_id = $3';

// The counter row is already locked, so clock_timestamp() here is later than the createdAt of every
// earlier seq: within a conversation createdAt never decreases as seq grows.
const INSERT = `
  with bumped as (
    update conversations set last_seq = last_seq + 1, last_message_id = $2, last_message_at = clock_timestamp()
    where id = $1
    returning last_seq, last_message_at
  )
  insert into messages (conversation_id, seq, id, sender_id, client_message_id, body, created_at)
  select $1, last_seq, $2, $3, $4, $5, last_message_at from bumped
  returning *`;

/**
 * Locks the conversation row first and only then looks for an earlier copy: concurrent sends of one
 * clientMessageId queue on the lock and the later ones find the first, so no seq is spent on them.
 */
export async function appendMessage(db: SqlDriver, input: AppendMessageInput): Promise<{ message: Message; created: boolean }> {
  const key = [input.conversationId, input.senderId, input.clientMessageId];
  try {
    return await db.transaction(async (tx) => {
      const locked = await tx.query('select 1 from conversations where id = $1 for update', [input.conversationId]);
      if (locked.length === 0) throw new Error(`unknown conversation ${input.conversationId}`);
      const [existing] = await tx.query<MessageRow>(FIND, key);
      if (existing) return { message: toMessage(existing), created: false };
      const [row] = await tx.query<MessageRow>(INSERT, [input.conversationId, newId('m'), input.senderId, input.clientMessageId, input.text]);
      if (!row) throw new Error(`conversation ${input.conversationId} vanished while sending`);
      return { message: toMessage(row), created: true };
    });
  } catch (error) {
    // Only reachable if the lock did not serialise the race (e.g. a stricter isolation level).
    if (!isUniqueViolation(error)) throw error;
    const [existing] = await db.query<MessageRow>(FIND, key);
    if (!existing) throw error;
    return { message: toMessage(existing), created: false };
  }
}
