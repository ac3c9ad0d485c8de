/**
 * Baseline 2: Socket.IO 4 with `@socket.io/redis-adapter` (what most teams would deploy), WebSocket
 * transport only. `io.to(room).emit` encodes the packet once and writes it to every local socket of
 * the room; the adapter publishes it to Redis for the other instances.
 *
 * Events: handshake auth `{ token }`; `join(room, ack)`; `send({room,cid,text}, ack)`;
 * deliveries `m {room,seq,senderId,cid,text,ts}`.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { verifyToken } from '../lib/token.ts';
import { createServerMetrics } from './server-metrics.ts';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const secret = process.env.BENCH_SECRET ?? 'bench-secret-0123456789abcdef';
const redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  process.stderr.write('socketio-server: REDIS_URL is required (the baseline is Socket.IO + Redis adapter)\n');
  process.exit(2);
}
const pingMs = Number(process.env.PING_INTERVAL_MS ?? 25_000);

const pubClient = new Redis(redisUrl);
const subClient = pubClient.duplicate();
const seqs = new Map<string, number>();

const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  pingInterval: pingMs,
  maxHttpBufferSize: 64 * 1024,
  adapter: createAdapter(pubClient, subClient),
});

const metrics = createServerMetrics(() => ({ parley_connections: io.engine.clientsCount }));
http.on('request', (req, res) => {
  if (req.url?.startsWith('/socket.io')) return;
  if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(metrics.text());
    return;
  }
  res.writeHead(req.url === '/healthz' ? 200 : 404);
  res.end();
});

io.use((socket, next) => {
  const user = verifyToken(secret, (socket.handshake.auth as { token?: unknown } | undefined)?.token);
  if (!user) {
    next(new Error('unauthorized'));
    return;
  }
  socket.data.user = user;
  next();
});

io.on('connection', (socket) => {
  socket.on('join', (room: unknown, ack?: (ok: boolean) => void) => {
    if (typeof room !== 'string') return;
    void socket.join(room);
    ack?.(true);
  });
  socket.on('send', (msg: { room?: unknown; cid?: unknown; text?: unknown }, ack?: (r: { seq: number }) => void) => {
    if (typeof msg?.room !== 'string' || typeof msg.text !== 'string') return;
    const seq = (seqs.get(msg.room) ?? 0) + 1;
    seqs.set(msg.room, seq);
    io.to(msg.room).emit('m', { room: msg.room, seq, senderId: socket.data.user, cid: msg.cid, text: msg.text, ts: Date.now() });
    ack?.({ seq });
  });
});

http.listen(port, host, () => {
  const address = http.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : port}\n`);
});

const stop = () => {
  io.disconnectSockets(true);
  http.close();
  pubClient.disconnect();
  subClient.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Orphaned (the harness was killed outright): stop rather than linger.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1000).unref();
