import { TRPCError } from '@trpc/server';
import type { RateRule } from '../ports.ts';
import { authedProcedure, router } from '../trpc.ts';
import { emptyInput, markInput, sendInput, setStatusInput, streamInput, typingInput } from '../schema/inputs.ts';
import { topics } from '../schema/bus.ts';
import { publishPresence, usersWithPresence, toUser } from '../services/presence-view.ts';
import { openTrackedStream } from '../streams/tracked-stream.ts';
import { openPresenceStream } from '../streams/presence-stream.ts';
import { openNotificationStream } from '../streams/notification-stream.ts';
import type { Context } from '../context.ts';

async function limit(ctx: Context, what: 'send' | 'typing', userId: string): Promise<void> {
  const rule: RateRule = ctx.deps.config.limits[what];
  if (await ctx.deps.limiter.consume(`${what}:${userId}`, rule)) return;
  throw new TRPCError({
    code: 'TOO_MANY_REQUESTS',
    message: `rate limit: chat.${what} allows ${rule.perSecond} calls per second (bursts of ${rule.burst}); try again shortly`,
  });
}

/** A stream ends when its subscription stops or its socket closes, whichever comes first. */
function streamSignal(ctx: Context, signal: AbortSignal | undefined): AbortSignal {
  const signals = [signal, ctx.connection?.closed].filter((s): s is AbortSignal => s !== undefined);
  return signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
}

const markProcedure = (kind: 'delivered' | 'read') =>
  authedProcedure.input(markInput).mutation(async ({ ctx, input }) => {
    const { deps, identity } = ctx;
    await ctx.membership.require(input.conversationId, identity.userId);
    const receipt = await deps.store.markReceipt({ conversationId: input.conversationId, userId: identity.userId, seq: input.seq, kind });
    if (receipt) deps.realtime.publish(topics.conversation(input.conversationId), { t: 'receipt', receipt });
    return { changed: receipt !== null };
  });

export const chatRouter = router({
  send: authedProcedure.input(sendInput).mutation(async ({ ctx, input }) => {
    const { deps, identity } = ctx;
    await limit(ctx, 'send', identity.userId);
    await ctx.membership.require(input.conversationId, identity.userId);
    const { message, created } = await deps.store.appendMessage({
      conversationId: input.conversationId,
      senderId: identity.userId,
      clientMessageId: input.clientMessageId,
      text: input.text,
    });
    if (created) {
      const topic = topics.conversation(input.conversationId);
      deps.realtime.publish(topic, { t: 'message', message });
      deps.jobs.messageStored(message);
      if (await deps.typing.stop(input.conversationId, identity.userId)) {
        deps.realtime.publish(topic, { t: 'typing', conversationId: input.conversationId, userId: identity.userId, isTyping: false });
      }
    }
    return message;
  }),

  markDelivered: markProcedure('delivered'),
  markRead: markProcedure('read'),

  typing: authedProcedure.input(typingInput).mutation(async ({ ctx, input }) => {
    const { deps, identity } = ctx;
    await limit(ctx, 'typing', identity.userId);
    await ctx.membership.require(input.conversationId, identity.userId);
    const changed = input.isTyping
      ? await deps.typing.start(input.conversationId, identity.userId)
      : await deps.typing.stop(input.conversationId, identity.userId);
    if (changed) {
      deps.realtime.publish(topics.conversation(input.conversationId), {
        t: 'typing',
        conversationId: input.conversationId,
        userId: identity.userId,
        isTyping: input.isTyping,
      });
    }
    return { ok: true as const };
  }),

  setStatus: authedProcedure.input(setStatusInput).mutation(async ({ ctx, input }) => {
    const { deps, identity } = ctx;
    await deps.store.setUserStatus(identity.userId, { status: input.status, statusText: input.text ?? null });
    await publishPresence(deps, identity.userId);
    const [found] = await usersWithPresence(deps, [identity.userId]);
    if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: 'user not found' });
    return toUser(found.record, found.connections);
  }),

  messages: authedProcedure.input(streamInput).subscription(async ({ ctx, input, signal }) => {
    if (input?.conversationId) await ctx.membership.require(input.conversationId, ctx.identity.userId);
    return openTrackedStream({
      deps: ctx.deps,
      kind: 'messages',
      userId: ctx.identity.userId,
      conversationId: input?.conversationId,
      lastEventId: input?.lastEventId,
      signal: streamSignal(ctx, signal),
    });
  }),

  receipts: authedProcedure.input(streamInput).subscription(async ({ ctx, input, signal }) => {
    if (input?.conversationId) await ctx.membership.require(input.conversationId, ctx.identity.userId);
    return openTrackedStream({
      deps: ctx.deps,
      kind: 'receipts',
      userId: ctx.identity.userId,
      conversationId: input?.conversationId,
      lastEventId: input?.lastEventId,
      signal: streamSignal(ctx, signal),
    });
  }),

  presence: authedProcedure.input(emptyInput).subscription(({ ctx, signal }) =>
    openPresenceStream({ deps: ctx.deps, userId: ctx.identity.userId, signal: streamSignal(ctx, signal) }),
  ),

  notifications: authedProcedure.input(emptyInput).subscription(({ ctx, signal }) =>
    openNotificationStream({ deps: ctx.deps, userId: ctx.identity.userId, sessionId: ctx.identity.sessionId, signal: streamSignal(ctx, signal) }),
  ),
});
