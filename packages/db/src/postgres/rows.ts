import type { Conversation, DevicePlatform, DeviceRecord, Message, Receipt, SessionRecord, UserRecord, UserStatus } from '../store.ts';

/** `bigint` columns: pg returns them as strings, PGlite as numbers. Positions stay far below 2^53. */
type Int8 = number | string;

export interface UserRow {
  id: string;
  display_name: string;
  status: UserStatus;
  status_text: string | null;
  last_seen_at: Date | null;
  is_signed_in: boolean;
  last_sign_out_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface SessionRow {
  id: string;
  user_id: string;
  is_active: boolean;
  created_at: Date;
  last_heartbeat_at: Date;
  signed_out_at: Date | null;
}

export interface ConversationRow {
  id: string;
  title: string | null;
  member_ids: string[];
  created_at: Date;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: Int8;
  sender_id: string;
  client_message_id: string;
  body: string;
  created_at: Date;
}

export interface ReceiptRow {
  conversation_id: string;
  rseq: Int8;
  message_id: string;
  seq: Int8;
  updated_by: string;
  old_status: Receipt['oldStatus'];
  new_status: Receipt['newStatus'];
  created_at: Date;
}

export interface DeviceRow {
  token: string;
  user_id: string;
  platform: DevicePlatform;
  created_at: Date;
  updated_at: Date;
}

export function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    status: row.status,
    statusText: row.status_text,
    lastSeenAt: row.last_seen_at,
    isSignedIn: row.is_signed_in,
    lastSignOutAt: row.last_sign_out_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    isActive: row.is_active,
    createdAt: row.created_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    signedOutAt: row.signed_out_at,
  };
}

export function toConversation(row: ConversationRow): Conversation {
  return { id: row.id, title: row.title, memberIds: row.member_ids, createdAt: row.created_at };
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    clientMessageId: row.client_message_id,
    text: row.body,
    createdAt: row.created_at,
  };
}

export function toReceipt(row: ReceiptRow): Receipt {
  return {
    conversationId: row.conversation_id,
    rseq: Number(row.rseq),
    messageId: row.message_id,
    seq: Number(row.seq),
    updatedBy: row.updated_by,
    oldStatus: row.old_status,
    newStatus: row.new_status,
    timestamp: row.created_at,
  };
}

export function toDevice(row: DeviceRow): DeviceRecord {
  return { token: row.token, userId: row.user_id, platform: row.platform, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** The member ids of conversation `c`, as a column of a query over `conversations c`. */
export const MEMBER_IDS = 'array(select user_id from members where conversation_id = c.id order by user_id) as member_ids';
