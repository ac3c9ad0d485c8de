/**
 * Baseline 1: a plain `ws` server. Each sender message is serialized once (one Buffer) and written to
 * every socket of the room. With REDIS_URL set, messages also cross instances over one Redis channel
 * (each instance delivers to its own sockets), the smallest possible cluster for the cluster scenario.
 *
 * Protocol (JSON text frames): → {t:'auth',token} ← {t:'authed'}; → {t:'join',room} ← {t:'joined',room};
 * → {t:'send',room,cid,text} ← {t:'sent',cid,seq}; deliveries ← {t:'m',room,seq,senderId,cid,text,ts}.
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { Redis } from 'ioredis';
import { verifyToken } from '../lib/token.ts';
import { createServerMetrics } from './server-metrics.ts';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const secret = process.env.BENCH_SECRET ?? 'bench-secret-0123456789abcdef';
const redisUrl = process.env.REDIS_URL ?? '';
const pingMs = Number(process.env.PING_INTERVAL_MS ?? 30_000);
const nodeId = randomUUID();
const CHANNEL = 'bench:raw-ws';

interface Conn {
  user: string | null;
  rooms: Set<string>;
  alive: boolean;
}

const rooms = new Map<string, Set<WebSocket>>();
const conns = new Map<WebSocket, Conn>();
const seqs = new Map<string, number>();

function deliver(room: string, frame: Buffer): void {
  const members = rooms.get(room);
  if (!members) return;
  for (const ws of members) if (ws.readyState === 1) ws.send(frame, { binary: false });
}

const pub = redisUrl ? new Redis(redisUrl, { lazyConnect: false }) : null;
const sub = redisUrl ? new Redis(redisUrl, { lazyConnect: false }) : null;
if (sub) {
  await sub.subscribe(CHANNEL);
  sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
    // Envelope: <36-byte node id><room>\n<frame>; a node drops its own messages.
    if (message.toString('latin1', 0, 36) === nodeId) return;
    const nl = message.indexOf(10, 36);
    deliver(message.toString('utf8', 36, nl), message.subarray(nl + 1));
  });
}

const metrics = createServerMetrics(() => ({ parley_connections: conns.size, bench_rooms: rooms.size }));
const http = createServer((req, res) => {
  if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(metrics.text());
    return;
  }
  res.writeHead(req.url === '/healthz' ? 200 : 404);
  res.end();
});
const wss = new WebSocketServer({ server: http, maxPayload: 64 * 1024 });

function reply(ws: WebSocket, body: object): void {
  ws.send(JSON.stringify(body));
}

wss.on('connection', (ws) => {
  const conn: Conn = { user: null, rooms: new Set(), alive: true };
  conns.set(ws, conn);
  ws.on('pong', () => {
    conn.alive = true;
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    conns.delete(ws);
    for (const room of conn.rooms) {
      const members = rooms.get(room);
      members?.delete(ws);
      if (members?.size === 0) rooms.delete(room);
    }
  });
  ws.on('message', (data) => {
    let msg: { t?: unknown; token?: unknown; room?: unknown; cid?: unknown; text?: unknown };
    try {
      msg = JSON.parse(String(data));
    } catch {
      ws.close(1003, 'bad frame');
      return;
    }
    if (msg.t === 'auth') {
      conn.user = verifyToken(secret, msg.token);
      if (!conn.user) ws.close(4401, 'unauthorized');
      else reply(ws, { t: 'authed' });
      return;
    }
    if (!conn.user) {
      ws.close(4401, 'unauthorized');
      return;
    }
    if (typeof msg.room !== 'string') return;
    const room = msg.room;
    if (msg.t === 'join') {
      let members = rooms.get(room);
      if (!members) rooms.set(room, (members = new Set()));
      members.add(ws);
      conn.rooms.add(room);
      reply(ws, { t: 'joined', room });
    } else if (msg.t === 'send' && typeof msg.text === 'string') {
      const seq = (seqs.get(room) ?? 0) + 1;
      seqs.set(room, seq);
      const frame = Buffer.from(JSON.stringify({ t: 'm', room, seq, senderId: conn.user, cid: msg.cid, text: msg.text, ts: Date.now() }));
      deliver(room, frame);
      if (pub) void pub.publish(CHANNEL, Buffer.concat([Buffer.from(nodeId, 'latin1'), Buffer.from(`${room}\n`), frame]));
      reply(ws, { t: 'sent', cid: msg.cid, seq });
    }
  });
});

// Keep-alive like any production server: a socket that does not answer a ping is dropped.
setInterval(() => {
  for (const [ws, conn] of conns) {
    if (!conn.alive) {
      ws.terminate();
      continue;
    }
    conn.alive = false;
    ws.ping();
  }
}, pingMs).unref();

http.listen(port, host, () => {
  const address = http.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : port}\n`);
});

const stop = () => {
  for (const ws of conns.keys()) ws.terminate();
  http.close();
  pub?.disconnect();
  sub?.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Orphaned (the harness was killed outright): stop rather than linger.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1000).unref();
