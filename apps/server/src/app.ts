import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { getWSConnectionHandler } from '@trpc/server/adapters/ws';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter, createContextFactory, publishPresence, type ApiConfig, type Authenticator, type Context, type Deps, type Logger, type MessageJobs } from '@parley/api';
import { topics } from '@parley/api/schema';
import type { Store } from '@parley/db';
import { BatchedActivity } from './activity.ts';
import { ConnectionRegistry } from './connections.ts';
import { healthHandler } from './http/health.ts';
import { Node } from './node.ts';
import { FastSubscriptions } from './ws/fast-subscriptions.ts';
import { KeepAlive } from './ws/keep-alive.ts';
import type { RoleSet } from './roles.ts';

export interface ServerOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  instanceId: string;
  store: Store;
  roles: RoleSet;
  auth: Authenticator;
  config: ApiConfig;
  /** Where stored messages go for background work (the offline-notification queue). */
  jobs: MessageJobs;
  /** More Prometheus text for `/metrics` (the job workers' and queues'). */
  extraMetrics?: () => Promise<string>;
  /** Time to wait for a PONG before the socket is dropped. @default 10000 */
  pongWaitMs?: number;
  /** Largest WebSocket frame accepted; bigger ones close the socket with 1009. @default 1048576 */
  maxPayloadBytes?: number;
  /** Bytes queued to a socket that stopped reading before it is closed with 1013. @default 4 MiB */
  maxBufferedBytes?: number;
  log: Logger;
}

export interface RunningServer {
  port: number;
  url: string;
  wsUrl: string;
  deps: Deps;
  node: Node;
  close(): Promise<void>;
}

/**
 * What tRPC's connection handler and our context read of the upgrade request (its URL and two headers),
 * kept instead of the request: the handler holds it for the connection's lifetime, and a whole
 * IncomingMessage with its headers and stream state is over a kilobyte per idle socket.
 */
function upgradeRequestView(req: IncomingMessage): IncomingMessage {
  const { host, authorization } = req.headers;
  return { url: req.url, method: req.method, headers: { host, authorization } } as IncomingMessage;
}

function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() || null : null;
}

/** Composes one Parley instance and starts listening; `main.ts` only reads the environment and calls this. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { store, roles, log } = options;
  const node = new Node({ instanceId: options.instanceId, broker: roles.broker, log });
  const activity = new BatchedActivity({ store, log });
  const deps: Deps = {
    store,
    realtime: node,
    presence: undefined as never,
    limiter: roles.limiter,
    typing: undefined as never,
    auth: options.auth,
    activity,
    jobs: options.jobs,
    config: options.config,
    log,
  };
  deps.presence = await roles.presence((userIds) => {
    // Connections that vanished with a dead instance: offline users get a last-seen time, and every
    // watcher gets the new state.
    void (async () => {
      const counts = await deps.presence.connectionCounts(userIds);
      for (const userId of userIds) {
        if (!counts.get(userId)) await store.setLastSeen(userId, new Date());
        await publishPresence(deps, userId);
      }
    })().catch((error: unknown) => log.warn('presence update for lost connections failed', { error: String(error) }));
  });
  deps.typing = roles.typing((conversationId, userId) =>
    node.publish(topics.conversation(conversationId), { t: 'typing', conversationId, userId, isTyping: false }),
  );

  const createContext = createContextFactory(deps);
  const loopDelayResolutionMs = 10;
  const loopDelay = monitorEventLoopDelay({ resolution: loopDelayResolutionMs });
  loopDelay.enable();
  // Event-loop delay over the window since the previous scrape, with the sampling resolution
  // subtracted: a histogram kept since start-up would report start-up stalls forever.
  const loopDelayWindow = (): { p99: number; max: number } => {
    const ms = (ns: number) => (loopDelay.count > 0 ? Math.max(0, ns / 1e6 - loopDelayResolutionMs) : 0);
    const window = { p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
    loopDelay.reset();
    return window;
  };
  const registry = new ConnectionRegistry(deps);
  const health = healthHandler({
    store,
    redisHealthy: roles.healthy,
    metrics: async () => {
      const delay = loopDelayWindow();
      return [
        '# TYPE parley_connections gauge',
        `parley_connections ${registry.size}`,
        '# TYPE parley_topics gauge',
        `parley_topics ${node.stats().topics}`,
        '# TYPE parley_event_loop_delay_p99_ms gauge',
        `parley_event_loop_delay_p99_ms ${delay.p99.toFixed(3)}`,
        '# TYPE parley_event_loop_delay_max_ms gauge',
        `parley_event_loop_delay_max_ms ${delay.max.toFixed(3)}`,
        '# TYPE parley_heap_used_bytes gauge',
        `parley_heap_used_bytes ${process.memoryUsage().heapUsed}`,
        '# TYPE parley_redis_up gauge',
        `parley_redis_up ${roles.healthy() === false ? 0 : 1}`,
        (await options.extraMetrics?.()) ?? '',
      ].join('\n');
    },
  });
  const trpcHttp = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    createContext: ({ req }) => createContext({ token: bearer(req), connection: null }),
  });

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-headers': 'authorization, content-type, trpc-accept', 'access-control-allow-methods': 'GET, POST, OPTIONS' });
      res.end();
      return;
    }
    if (path.startsWith('/trpc/')) {
      trpcHttp(req, res);
      return;
    }
    health(req, res, path)
      .then((handled) => {
        if (handled) return;
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'not found' }));
      })
      .catch((error: unknown) => {
        log.error('http handler failed', { error: String(error) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?')[0] !== '/trpc') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const keepAlive = new KeepAlive({ pingMs: options.config.pingIntervalMs, pongWaitMs: options.pongWaitMs ?? 10_000 });
  const fast = new FastSubscriptions({ router: appRouter, log, ...(options.maxBufferedBytes ? { maxBufferedBytes: options.maxBufferedBytes } : {}) });
  /** Each connection's context, for the fast path, keyed by the socket view tRPC gets. */
  const contexts = new WeakMap<object, { resolve: (ctx: Context) => void; reject: (error: unknown) => void }>();
  const onConnection = getWSConnectionHandler({
    wss,
    router: appRouter,
    // Keep-alive is ours (one timer for all sockets, same PING/PONG protocol): see KeepAlive.
    keepAlive: { enabled: false },
    createContext: async ({ req, res: ws, info }) => {
      try {
        const param = info.connectionParams?.token;
        const token = typeof param === 'string' && param ? param : bearer(req);
        const connection = registry.newState(ws);
        const ctx = await createContext({ token, connection });
        if (ctx.identity) await registry.attach(ws, ctx.identity, connection);
        contexts.get(ws)?.resolve(ctx);
        contexts.delete(ws);
        return ctx;
      } catch (error) {
        contexts.get(ws)?.reject(error);
        contexts.delete(ws);
        throw error;
      }
    },
  });
  wss.on('connection', (ws, req) => {
    keepAlive.add(ws);
    let settle!: { resolve: (ctx: Context) => void; reject: (error: unknown) => void };
    const context = new Promise<Context>((resolve, reject) => (settle = { resolve, reject }));
    context.catch(() => {});
    const view = fast.wrap(ws, context);
    contexts.set(view, settle);
    onConnection(view, upgradeRequestView(req));
  });
  // A socket error (bad frame, oversized payload) concerns that socket only.
  wss.on('connection', (ws) => ws.on('error', (error) => log.info('socket error', { error: String(error) })));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;

  return {
    port,
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}/trpc`,
    deps,
    node,
    async close() {
      registry.closeAll();
      keepAlive.close();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      loopDelay.disable();
      await activity.close();
      const presence = deps.presence as Partial<{ close(): Promise<void> | void }>;
      const typing = deps.typing as Partial<{ close(): Promise<void> | void }>;
      await presence.close?.();
      await typing.close?.();
    },
  };
}
