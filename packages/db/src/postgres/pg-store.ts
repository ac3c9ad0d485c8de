import type {
  AppendMessageInput,
  Conversation,
  ConversationSummary,
  CreateConversationInput,
  DevicePlatform,
  DeviceRecord,
  MarkInput,
  Message,
  OutboxNotification,
  Page,
  Receipt,
  SessionRecord,
  Store,
  StreamItem,
  StreamKind,
  StreamRead,
  UserRecord,
  UserStatus,
} from '../store.ts';
import { KeyedQueue } from '../keyed-queue.ts';
import { appendMessage } from './append-message.ts';
import { devicesOf, registerDevice, removeDevices } from './devices.ts';
import { newId } from './ids.ts';
import { listConversations } from './list-conversations.ts';
import { markReceipt } from './mark-receipt.ts';
import { loadMigrations, migrate } from './migrate.ts';
import { addNotification, addNotifications, listNotifications } from './outbox.ts';
import {
  MEMBER_IDS,
  toConversation,
  toMessage,
  toSession,
  toUser,
  type ConversationRow,
  type MessageRow,
  type SessionRow,
  type UserRow,
} from './rows.ts';
import type { SqlDriver } from './sql-driver.ts';
import { readStream, streamHeads } from './streams.ts';

const SELECT_CONVERSATION = `select c.id, c.title, c.created_at, ${MEMBER_IDS} from conversations c where c.id = $1`;

/** The row a statement must return; its absence means the target does not exist. */
function one<Row>(rows: Row[], what: string): Row {
  const [row] = rows;
  if (!row) throw new Error(`${what} not found`);
  return row;
}

/** The SQL `Store`, over embedded PGlite or a Postgres server (see `createPgliteDriver`, `createPoolDriver`). */
export class PgStore implements Store {
  readonly kind: SqlDriver['kind'];
  readonly #db: SqlDriver;
  /** This process's writes to one conversation's messages or receipts, one at a time (see KeyedQueue). */
  readonly #queues = { messages: new KeyedQueue(), receipts: new KeyedQueue() };

  constructor(driver: SqlDriver) {
    this.kind = driver.kind;
    this.#db = driver;
  }

  async migrate(): Promise<void> {
    await migrate(this.#db, await loadMigrations());
  }

  async ping(): Promise<void> {
    await this.#db.query('select 1');
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  async now(): Promise<Date> {
    const [row] = await this.#db.query<{ now: Date }>('select clock_timestamp() as now');
    if (!row) throw new Error('clock_timestamp() returned no row');
    return row.now;
  }

  // Users

  async upsertUser(input: { id: string; displayName: string }): Promise<UserRecord> {
    const rows = await this.#db.query<UserRow>(
      `insert into users (id, display_name) values ($1, $2)
       on conflict (id) do update set display_name = excluded.display_name, is_signed_in = true
       returning *`,
      [input.id, input.displayName],
    );
    return toUser(one(rows, `user ${input.id}`));
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const [row] = await this.#db.query<UserRow>('select * from users where id = $1', [id]);
    return row ? toUser(row) : null;
  }

  async getUsers(ids: string[]): Promise<UserRecord[]> {
    const rows = await this.#db.query<UserRow>('select * from users where id = any($1::text[])', [ids]);
    return rows.map(toUser);
  }

  async setUserStatus(id: string, input: { status: UserStatus; statusText: string | null }): Promise<UserRecord> {
    const rows = await this.#db.query<UserRow>(
      'update users set status = $2, status_text = $3 where id = $1 returning *',
      [id, input.status, input.statusText],
    );
    return toUser(one(rows, `user ${id}`));
  }

  async setLastSeen(id: string, at: Date): Promise<void> {
    await this.#db.query('update users set last_seen_at = $2 where id = $1', [id, at]);
  }

  // Sessions

  createSession(input: { id: string; userId: string }): Promise<SessionRecord> {
    return this.#db.transaction(async (tx) => {
      const rows = await tx.query<SessionRow>('insert into sessions (id, user_id) values ($1, $2) returning *', [input.id, input.userId]);
      // A user with an active session is signed in. Locking the user row (the update) also orders this
      // against endSession of another session, see there.
      await tx.query('update users set is_signed_in = true where id = $1', [input.userId]);
      return toSession(one(rows, `session ${input.id}`));
    });
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const [row] = await this.#db.query<SessionRow>('select * from sessions where id = $1', [id]);
    return row ? toSession(row) : null;
  }

  async touchSessions(ids: string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.query(
      'update sessions set last_heartbeat_at = greatest(last_heartbeat_at, $2) where id = any($1::text[]) and is_active',
      [ids, at],
    );
  }

  endSession(id: string, at: Date): Promise<{ ended: boolean; userSignedOut: boolean }> {
    return this.#db.transaction(async (tx) => {
      const [ended] = await tx.query<{ user_id: string }>(
        'update sessions set is_active = false, signed_out_at = $2 where id = $1 and is_active returning user_id',
        [id, at],
      );
      if (!ended) return { ended: false, userSignedOut: false };
      // Locking the user first makes a concurrent createSession either commit before the check below
      // (which then sees its session) or wait and mark the user signed in again after us. The check
      // must be a new statement: a blocked UPDATE would re-check its subquery on its old snapshot.
      await tx.query('select 1 from users where id = $1 for no key update', [ended.user_id]);
      const signedOut = await tx.query(
        `update users set is_signed_in = false, last_sign_out_at = $2
         where id = $1 and not exists (select 1 from sessions where user_id = $1 and is_active)
         returning id`,
        [ended.user_id, at],
      );
      return { ended: true, userSignedOut: signedOut.length > 0 };
    });
  }

  async listIdleSessions(before: Date, limit: number): Promise<SessionRecord[]> {
    const rows = await this.#db.query<SessionRow>(
      'select * from sessions where is_active and last_heartbeat_at < $1 order by last_heartbeat_at, id limit $2',
      [before, Math.max(0, limit)],
    );
    return rows.map(toSession);
  }

  // Conversations

  createConversation(input: CreateConversationInput): Promise<Conversation> {
    const id = newId('c');
    return this.#db.transaction(async (tx) => {
      await tx.query('insert into conversations (id, title) values ($1, $2)', [id, input.title]);
      await tx.query(
        'insert into members (conversation_id, user_id) select $1, unnest($2::text[]) on conflict do nothing',
        [id, input.memberIds],
      );
      return toConversation(one(await tx.query<ConversationRow>(SELECT_CONVERSATION, [id]), `conversation ${id}`));
    });
  }

  async getConversation(id: string): Promise<Conversation | null> {
    const [row] = await this.#db.query<ConversationRow>(SELECT_CONVERSATION, [id]);
    return row ? toConversation(row) : null;
  }

  async isMember(conversationId: string, userId: string): Promise<boolean> {
    const rows = await this.#db.query('select 1 from members where conversation_id = $1 and user_id = $2', [conversationId, userId]);
    return rows.length > 0;
  }

  async conversationIdsOf(userId: string): Promise<string[]> {
    const rows = await this.#db.query<{ conversation_id: string }>(
      'select conversation_id from members where user_id = $1 order by conversation_id',
      [userId],
    );
    return rows.map((row) => row.conversation_id);
  }

  async contactIdsOf(userId: string): Promise<string[]> {
    const rows = await this.#db.query<{ user_id: string }>(
      `select distinct other.user_id from members me
       join members other on other.conversation_id = me.conversation_id
       where me.user_id = $1 and other.user_id <> $1
       order by other.user_id`,
      [userId],
    );
    return rows.map((row) => row.user_id);
  }

  listConversations(userId: string, page: { limit: number; cursor?: string | null }): Promise<Page<ConversationSummary>> {
    return listConversations(this.#db, userId, page);
  }

  streamHeads(kind: StreamKind, conversationIds: string[], since: Date): Promise<Record<string, number>> {
    return streamHeads(this.#db, kind, conversationIds, since);
  }

  // Messages

  appendMessage(input: AppendMessageInput): Promise<{ message: Message; created: boolean }> {
    return this.#queues.messages.run(input.conversationId, () => appendMessage(this.#db, input));
  }

  async history(conversationId: string, page: { beforeSeq?: number | null; limit: number }): Promise<{ messages: Message[]; nextBeforeSeq: number | null }> {
    const limit = Math.max(0, page.limit);
    // One row past the page tells whether an older message exists.
    const rows = await this.#db.query<MessageRow>(
      `select * from messages where conversation_id = $1 and ($2::bigint is null or seq < $2::bigint)
       order by seq desc limit $3`,
      [conversationId, page.beforeSeq ?? null, limit + 1],
    );
    const messages = rows.slice(0, limit).map(toMessage).reverse();
    const oldest = messages[0];
    return { messages, nextBeforeSeq: rows.length > limit && oldest ? oldest.seq : null };
  }

  async getMessages(conversationId: string, seqs: number[]): Promise<Message[]> {
    const rows = await this.#db.query<MessageRow>(
      'select * from messages where conversation_id = $1 and seq = any($2::bigint[]) order by seq',
      [conversationId, seqs],
    );
    return rows.map(toMessage);
  }

  // Receipts

  markReceipt(input: MarkInput): Promise<Receipt | null> {
    return this.#queues.receipts.run(input.conversationId, () => markReceipt(this.#db, input));
  }

  async horizonsOf(conversationId: string, userIds: string[]): Promise<Map<string, { deliveredSeq: number; readSeq: number }>> {
    const out = new Map(userIds.map((id) => [id, { deliveredSeq: 0, readSeq: 0 }]));
    if (userIds.length === 0) return out;
    const rows = await this.#db.query<{ user_id: string; delivered_seq: number | string; read_seq: number | string }>(
      'select user_id, delivered_seq, read_seq from members where conversation_id = $1 and user_id = any($2::text[])',
      [conversationId, userIds],
    );
    for (const row of rows) out.set(row.user_id, { deliveredSeq: Number(row.delivered_seq), readSeq: Number(row.read_seq) });
    return out;
  }

  readStream<K extends StreamKind>(kind: K, read: StreamRead): Promise<StreamItem<K>[]> {
    return readStream(this.#db, kind, read);
  }

  // Devices

  registerDevice(input: { userId: string; token: string; platform: DevicePlatform }): Promise<DeviceRecord> {
    return registerDevice(this.#db, input);
  }

  devicesOf(userId: string): Promise<DeviceRecord[]> {
    return devicesOf(this.#db, userId);
  }

  removeDevices(tokens: string[]): Promise<void> {
    return removeDevices(this.#db, tokens);
  }

  // Outbox

  addNotification(input: { recipientId: string; message: Message }): Promise<{ notification: OutboxNotification; created: boolean }> {
    return addNotification(this.#db, input);
  }

  addNotifications(input: { recipientIds: string[]; message: Message }): Promise<string[]> {
    return addNotifications(this.#db, input);
  }

  listNotifications(userId: string, page: { limit: number; cursor?: string | null }): Promise<Page<OutboxNotification>> {
    return listNotifications(this.#db, userId, page);
  }
}
