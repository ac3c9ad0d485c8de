import { z } from 'zod';

/** Ids we generate or accept from identity providers: printable, bounded. */
export const id = z.string().min(1).max(128);
export const userIdInput = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'only letters, digits, _ and -');
export const userStatus = z.enum(['online', 'away', 'busy', 'offline']);
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const devLoginInput = z.object({
  displayName: z.string().trim().min(1).max(60),
  userId: userIdInput.optional(),
});
export const emptyInput = z.object({}).strict().optional();

export const createConversationInput = z.object({
  memberIds: z.array(id).min(1).max(9999),
  title: z.string().trim().max(120).optional(),
});
export const listConversationsInput = z
  .object({ limit: z.number().int().min(1).max(100).optional(), cursor: z.string().max(512).nullish() })
  .optional();
export const historyInput = z.object({
  conversationId: id,
  beforeSeq: seq.nullish(),
  limit: z.number().int().min(1).max(100).optional(),
});

export const sendInput = z.object({
  conversationId: id,
  clientMessageId: z.string().min(1).max(64),
  text: z.string().min(1).max(4000),
});
export const markInput = z.object({ conversationId: id, seq });
export const typingInput = z.object({ conversationId: id, isTyping: z.boolean() });
export const setStatusInput = z.object({ status: userStatus, text: z.string().max(140).nullish() });

export const registerDeviceInput = z.object({
  // FCM registration tokens are about 160 characters; APNs device tokens 64 hex digits.
  token: z.string().trim().min(8).max(4096),
  platform: z.enum(['android', 'ios', 'web']),
});
export const listNotificationsInput = listConversationsInput;

/** `lastEventId` must be in the input for tRPC's `tracked()` resume to reach us. */
export const streamInput = z
  .object({ conversationId: id.optional(), lastEventId: z.string().max(65536).nullish() })
  .optional();

export const userStatusInput = z.object({ userId: id });
export const sendToUserInput = z.object({ userId: id, type: z.string().min(1).max(100), data: z.unknown() });
export const broadcastInput = z.object({ type: z.string().min(1).max(100), data: z.unknown(), excludeUserId: id.optional() });
