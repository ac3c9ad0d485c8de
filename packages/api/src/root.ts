import { router } from './trpc.ts';
import { adminRouter } from './router/admin.ts';
import { authRouter } from './router/auth.ts';
import { chatRouter } from './router/chat.ts';
import { connectionsRouter } from './router/connections.ts';
import { conversationsRouter } from './router/conversations.ts';
import { usersRouter } from './router/users.ts';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  conversations: conversationsRouter,
  chat: chatRouter,
  connections: connectionsRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
