import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import type { Context } from './context.ts';

interface IssueLike {
  path: PropertyKey[];
  message: string;
}

function validationIssues(cause: unknown): IssueLike[] | null {
  if (typeof cause !== 'object' || cause === null || !('issues' in cause)) return null;
  const issues = (cause as { issues: unknown }).issues;
  return Array.isArray(issues) ? (issues as IssueLike[]) : null;
}

/** `text: Too big: expected string to have <=4000 characters` — the field first, then what is wrong. */
function describeIssues(issues: IssueLike[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : 'input'}: ${i.message}`)
    .join('; ');
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error, ctx, path }) {
    const issues = error.code === 'BAD_REQUEST' ? validationIssues(error.cause) : null;
    if (issues) return { ...shape, message: describeIssues(issues), data: { ...shape.data, stack: undefined } };
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      // The one place unexpected errors are logged; the client gets an id to quote, no internals.
      const requestId = Math.random().toString(36).slice(2, 10);
      ctx?.deps.log.error('unexpected error', { requestId, path, error: String(error.cause ?? error), stack: (error.cause as Error | undefined)?.stack });
      return { ...shape, message: `Internal server error (request ${requestId})`, data: { ...shape.data, stack: undefined } };
    }
    return { ...shape, data: { ...shape.data, stack: undefined } };
  },
});

export const router = t.router;
export const middleware = t.middleware;
export const publicProcedure = t.procedure;

/** A user's call: a valid token of a live session. The user id comes from here, never from input. */
export const authedProcedure = t.procedure.use(({ ctx, next }) => {
  const identity = ctx.identity;
  if (!identity || ctx.connection?.ended) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.authError ?? 'sign in first: no valid token' });
  }
  ctx.deps.activity.touch(identity.sessionId);
  return next({ ctx: { ...ctx, identity } });
});

/** Server-to-server calls with `SERVICE_TOKEN`. */
export const serviceProcedure = t.procedure.use(({ ctx, next }) => {
  if (ctx.isService) return next();
  if (!ctx.deps.config.serviceToken) throw new TRPCError({ code: 'FORBIDDEN', message: 'admin API is disabled: SERVICE_TOKEN is not set' });
  if (ctx.identity) throw new TRPCError({ code: 'FORBIDDEN', message: 'admin.* needs the service token, not a user token' });
  throw new TRPCError({ code: 'UNAUTHORIZED', message: 'admin.* needs the service token' });
});
