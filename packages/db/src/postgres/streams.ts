import type { StreamItem, StreamKind, StreamRead } from '../store.ts';
import { toMessage, toReceipt, type MessageRow, type ReceiptRow } from './rows.ts';
import type { SqlExecutor } from './sql-driver.ts';

/** Both streams are tables keyed by (conversation_id, position) with a created_at. */
const TABLES = {
  messages: { table: 'messages', position: 'seq' },
  receipts: { table: 'receipts', position: 'rseq' },
} as const satisfies Record<StreamKind, { table: string; position: string }>;

function toItem<K extends StreamKind>(kind: K, row: MessageRow | ReceiptRow): StreamItem<K> {
  return (kind === 'messages' ? toMessage(row as MessageRow) : toReceipt(row as ReceiptRow)) as StreamItem<K>;
}

/**
 * createdAt never decreases as the position grows (both are taken under the conversation row lock),
 * so the newest item is also the latest one: one index probe per conversation.
 */
export async function streamHeads(db: SqlExecutor, kind: StreamKind, conversationIds: string[], since: Date): Promise<Record<string, number>> {
  const { table, position } = TABLES[kind];
  const rows = await db.query<{ conversation_id: string; position: number | string }>(
    `select head.conversation_id, head.${position} as position
     from unnest($1::text[]) as ids(id)
     cross join lateral (
       select conversation_id, ${position}, created_at from ${table}
       where conversation_id = ids.id
       order by ${position} desc
       limit 1
     ) head
     where head.created_at > $2`,
    [[...new Set(conversationIds)], since],
  );
  return Object.fromEntries(rows.map((row) => [row.conversation_id, Number(row.position)]));
}

/** One query: a branch for conversations resumed from a position and one for those read since a time. */
export async function readStream<K extends StreamKind>(db: SqlExecutor, kind: K, read: StreamRead): Promise<StreamItem<K>[]> {
  const resumed: string[] = [];
  const positions: number[] = [];
  const fresh: string[] = [];
  for (const id of new Set(read.conversationIds)) {
    const after = Object.hasOwn(read.after, id) ? read.after[id] : undefined;
    if (after !== undefined) {
      resumed.push(id);
      positions.push(after);
    } else if (read.since !== null) {
      fresh.push(id);
    }
  }
  if (read.limit <= 0 || resumed.length + fresh.length === 0) return [];
  const { table, position } = TABLES[kind];
  const rows = await db.query<MessageRow | ReceiptRow>(
    `select s.* from unnest($1::text[], $2::bigint[]) as r(id, after)
     cross join lateral (
       select * from ${table} t where t.conversation_id = r.id and t.${position} > r.after
       order by t.${position} limit $5
     ) s
     union all
     select s.* from unnest($3::text[]) as f(id)
     cross join lateral (
       select * from ${table} t where t.conversation_id = f.id and t.created_at > $4::timestamptz
       order by t.${position} limit $5
     ) s
     order by conversation_id, ${position}
     limit $5`,
    [resumed, positions, fresh, read.since, read.limit],
  );
  return rows.map((row) => toItem(kind, row));
}
