import { router } from './trpc.ts';
import { adminRouter } from './router/admin.ts';
import { authRouter } from './router/auth.ts';
import { chatRouter } from './router/chat.ts';
import { connectionsRouter } from './router/connections.ts';
import { conversationsRouter } from './router/conversations.ts';
import { devicesRouter } from './router/devices.ts';
import { notificationsRouter } from './router/notifications.ts';
import { usersRouter } from './router/users.ts';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  conversations: conversationsRouter,
  chat: chatRouter,
  connections: connectionsRouter,
  admin: adminRouter,
  devices: devicesRouter,
  notifications: notificationsRouter,
});

export type AppRouter = typeof appRouter;
