/**
 * A load-generator process, driven by the harness over IPC. It holds connections of one target in one
 * role: subscribers (count deliveries, latency from the payload's send stamp), idle connections, or
 * senders (paced sends at a given rate). Every loop here is bounded in count and in time.
 */
import { Histogram } from '../lib/histogram.ts';
import { makeText, nowMs, readStamp, type Stamp } from '../lib/payload.ts';
import { createConn, type ClientConn, type Cred, type TargetName } from './protocols.ts';

export interface ConnectCmd {
  cmd: 'connect';
  target: TargetName;
  /** One base URL per connection index, cycled (`ws://127.0.0.1:port`). */
  bases: string[];
  creds: Cred[];
  role: 'sub' | 'idle' | 'send';
  /** Rooms to join, cycled by connection index; null joins the all-conversations stream (Parley). */
  rooms?: Array<string | null>;
  concurrency?: number;
  timeoutMs?: number;
  localAddresses?: string[];
}
export interface SendCmd {
  cmd: 'send';
  run: number;
  rate: number;
  durationMs: number;
  payloadBytes: number;
  /** Message k goes to rooms[k % rooms.length] through connection k % connections. */
  rooms: string[];
  maxInFlight?: number;
}
/** Keeps the first `count` open connections, closes the others, and subscribes the kept ones. */
export interface AdoptCmd {
  cmd: 'adopt';
  count: number;
  rooms: Array<string | null>;
  concurrency?: number;
}
export type Command =
  | ConnectCmd
  | AdoptCmd
  | SendCmd
  | { cmd: 'arm'; run: number }
  | { cmd: 'stats' }
  | { cmd: 'pause' }
  | { cmd: 'resume' }
  | { cmd: 'closeAll' }
  | { cmd: 'exit' };

const conns: ClientConn[] = [];
let role: ConnectCmd['role'] = 'sub';
let closedCount = 0;
const closeCodes = new Map<number, number>();
/** Bumped by closeAll, so late close events of a previous use are not counted (the harness reuses generators). */
let epoch = 0;

// Subscriber state for the armed run.
let run = -1;
const hist = new Histogram();
let received = 0;
let stale = 0;
let reordered = 0;
let firstAt = 0;
let lastAt = 0;
let lastIndex = new Int32Array(0);
const stamp: Stamp = { t: 0, index: 0, run: 0 };

function onDelivery(i: number, buf: Buffer): boolean {
  if (!readStamp(buf, stamp)) return false;
  const now = nowMs();
  if (stamp.run !== run) {
    stale += 1;
    return true;
  }
  hist.record(now - stamp.t);
  received += 1;
  if (firstAt === 0) firstAt = now;
  lastAt = now;
  if (stamp.index <= lastIndex[i]!) reordered += 1;
  lastIndex[i] = stamp.index;
  return true;
}

async function connect(c: ConnectCmd) {
  role = c.role;
  const myEpoch = epoch;
  const start = nowMs();
  const timeoutMs = c.timeoutMs ?? 20_000;
  const concurrency = Math.max(1, c.concurrency ?? 64);
  const first = conns.length;
  lastIndex = new Int32Array(first + c.creds.length).fill(-1);
  let failed = 0;
  const errors = new Map<string, number>();
  let next = 0;
  const deadline = Date.now() + Math.max(60_000, c.creds.length * 20);
  const worker = async () => {
    for (;;) {
      const k = next;
      next += 1;
      if (k >= c.creds.length || Date.now() > deadline) return;
      const i = first + k;
      const conn = createConn(c.target, {
        base: c.bases[k % c.bases.length]!,
        cred: c.creds[k]!,
        timeoutMs,
        ...(c.localAddresses?.length ? { localAddress: c.localAddresses[k % c.localAddresses.length]! } : {}),
        ...(c.role === 'sub' ? { onDelivery: (buf: Buffer) => onDelivery(i, buf) } : {}),
        onClose: (code) => {
          if (myEpoch !== epoch) return;
          closedCount += 1;
          closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
        },
      });
      conns[i] = conn;
      try {
        await conn.open();
        if (c.role === 'sub' && c.rooms) await conn.subscribe(c.rooms[k % c.rooms.length] ?? null);
      } catch (error) {
        failed += 1;
        const key = String((error as Error).message).slice(0, 120);
        errors.set(key, (errors.get(key) ?? 0) + 1);
        conn.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, c.creds.length) }, worker));
  return { connected: c.creds.length - failed, failed, errors: Object.fromEntries(errors), ms: nowMs() - start };
}

async function adopt(c: AdoptCmd) {
  const start = nowMs();
  for (const x of conns.slice(c.count)) x?.close();
  conns.length = Math.min(conns.length, c.count);
  role = 'sub';
  lastIndex = new Int32Array(conns.length).fill(-1);
  let failed = 0;
  const errors = new Map<string, number>();
  let next = 0;
  const deadline = Date.now() + Math.max(60_000, conns.length * 20);
  const worker = async () => {
    for (;;) {
      const i = next;
      next += 1;
      if (i >= conns.length || Date.now() > deadline) return;
      const conn = conns[i]!;
      conn.setDeliveryHandler((buf) => onDelivery(i, buf));
      try {
        if (conn.closed) throw new Error(`closed ${conn.closeCode} while idle`);
        await conn.subscribe(c.rooms[i % c.rooms.length] ?? null);
      } catch (error) {
        failed += 1;
        const key = String((error as Error).message).slice(0, 120);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(c.concurrency ?? 64, conns.length) }, worker));
  return { connected: conns.length - failed, failed, errors: Object.fromEntries(errors), ms: nowMs() - start };
}

async function send(c: SendCmd) {
  const live = conns.filter((x) => x && !x.closed);
  if (live.length === 0) throw new Error('no open sender connection');
  const total = Math.max(1, Math.round((c.rate * c.durationMs) / 1000));
  const maxInFlight = c.maxInFlight ?? 20_000;
  const ackHist = new Histogram();
  const errors = new Map<string, number>();
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let skipped = 0;
  let inFlight = 0;
  const start = nowMs();
  const hardEnd = start + c.durationMs + 10_000;
  const fire = (k: number) => {
    if (inFlight >= maxInFlight) {
      skipped += 1;
      return;
    }
    const conn = live[k % live.length]!;
    const t0 = nowMs();
    inFlight += 1;
    sent += 1;
    conn.send(c.rooms[k % c.rooms.length]!, makeText(c.run, k, c.payloadBytes), `r${c.run}-${k}`).then(
      () => {
        inFlight -= 1;
        acked += 1;
        ackHist.record(nowMs() - t0);
      },
      (error: Error) => {
        inFlight -= 1;
        failed += 1;
        // Request ids differ per call: without them, errors of one cause count under one key.
        const key = error.message.replace(/\(request [^)]*\)/g, '(request …)').slice(0, 160);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      },
    );
  };
  let k = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = nowMs();
      const due = Math.min(total, Math.floor(((now - start) * c.rate) / 1000) + 1);
      // A burst of at most 1000 per tick keeps the pacing loop responsive if the process stalled.
      for (let n = 0; k < due && n < 1000; n += 1, k += 1) fire(k);
      if (k >= total || now > hardEnd) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendMs = nowMs() - start;
  const ackDeadline = nowMs() + 15_000;
  for (let i = 0; i < 1500 && inFlight > 0 && nowMs() < ackDeadline; i += 1) await new Promise((r) => setTimeout(r, 10));
  return { planned: total, sent, acked, failed, skipped, unanswered: inFlight, sendMs, ack: ackHist.toJSON(), errors: Object.fromEntries(errors) };
}

function stats() {
  return {
    role,
    connections: conns.length,
    open: conns.filter((x) => x && !x.closed).length,
    closed: closedCount,
    closeCodes: Object.fromEntries(closeCodes),
    run,
    received,
    stale,
    reordered,
    firstAt,
    lastAt,
    hist: hist.toJSON(),
  };
}

async function handle(m: Command): Promise<unknown> {
  switch (m.cmd) {
    case 'connect':
      return connect(m);
    case 'adopt':
      return adopt(m);
    case 'send':
      return send(m);
    case 'arm':
      run = m.run;
      hist.reset();
      received = 0;
      stale = 0;
      reordered = 0;
      firstAt = 0;
      lastAt = 0;
      lastIndex.fill(-1);
      return { armed: run };
    case 'stats':
      return stats();
    case 'pause':
      for (const x of conns) x?.pause();
      return { paused: conns.length };
    case 'resume':
      for (const x of conns) x?.resume();
      return { resumed: conns.length };
    case 'closeAll':
      epoch += 1;
      for (const x of conns) x?.close();
      conns.length = 0;
      closedCount = 0;
      closeCodes.clear();
      run = -1;
      hist.reset();
      received = 0;
      stale = 0;
      return { closed: true };
    case 'exit':
      for (const x of conns) x?.close();
      setTimeout(() => process.exit(0), 50);
      return { exiting: true };
  }
}

process.on('message', (raw: { id: number } & Command) => {
  handle(raw).then(
    (result) => process.send?.({ id: raw.id, ok: true, result }),
    (error: unknown) => process.send?.({ id: raw.id, ok: false, error: String((error as Error)?.stack ?? error) }),
  );
});
// The harness owns this process: if it goes away, so do we.
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, ok: true, result: { ready: true } });
