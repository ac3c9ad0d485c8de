export { appRouter, type AppRouter } from './root.ts';
export { createContextFactory, type Context, type ConnectionState } from './context.ts';
export { publishPresence } from './services/presence-view.ts';
export type * from './ports.ts';
export type { RouterInputs, RouterOutputs } from './types.ts';
