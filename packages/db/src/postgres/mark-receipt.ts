import type { MarkInput, Receipt } from '../store.ts';
import { toReceipt, type ReceiptRow } from './rows.ts';
import type { SqlDriver } from './sql-driver.ts';

// Messages exist only up to the conversation's last_seq, so "newest message at or below the request"
// is already clamped to it.
const TARGET = `
  select id, seq from messages
  where conversation_id = $1 and seq <= $2 and sender_id <> $3
  order by seq desc
  limit 1`;

// Bumping last_rseq locks the conversation row, so timestamps, like rseq, only grow.
const RECORD = `
  with horizon as (
    update members
    set delivered_seq = greatest(delivered_seq, $3),
        read_seq = case when $6 = 'read' then $3 else read_seq end
    where conversation_id = $1 and user_id = $2
  ), bumped as (
    update conversations set last_rseq = last_rseq + 1 where id = $1
    returning last_rseq, clock_timestamp() as at
  )
  insert into receipts (conversation_id, rseq, message_id, seq, updated_by, old_status, new_status, created_at)
  select $1, last_rseq, $4, $3, $2, $5, $6, at from bumped
  returning *`;

/**
 * The membership row is locked before anything is read, so two marks by the same member are
 * serialised and neither can move a horizon back. Lock order is member row, then conversation row;
 * sending locks only the conversation row, so the two cannot deadlock.
 */
export async function markReceipt(db: SqlDriver, input: MarkInput): Promise<Receipt | null> {
  const { conversationId, userId, kind } = input;
  return db.transaction(async (tx) => {
    const [member] = await tx.query<{ delivered_seq: number | string; read_seq: number | string }>(
      'select delivered_seq, read_seq from members where conversation_id = $1 and user_id = $2 for update',
      [conversationId, userId],
    );
    if (!member) return null;
    const [target] = await tx.query<{ id: string; seq: number | string }>(TARGET, [conversationId, input.seq, userId]);
    if (!target) return null;
    const seq = Number(target.seq);
    const delivered = Number(member.delivered_seq);
    if (seq <= (kind === 'read' ? Number(member.read_seq) : delivered)) return null;
    const oldStatus = kind === 'read' && delivered >= seq ? 'delivered' : 'sent';
    const [row] = await tx.query<ReceiptRow>(RECORD, [conversationId, userId, seq, target.id, oldStatus, kind]);
    if (!row) throw new Error(`conversation ${conversationId} vanished while marking`);
    return toReceipt(row);
  });
}
