import { Histogram, type HistogramData } from '../lib/histogram.ts';
import { Gen, type SendResult, type SubStats } from '../lib/gen-handle.ts';
import { ELD_P99, pendingNotifyJobs, scrape } from '../lib/metrics.ts';
import { CpuMeter, cpuUs, pgBackends, rssKb } from '../lib/procstat.ts';
import { round, sleep } from '../lib/stats.ts';
import type { Deployment } from '../targets/deploy.ts';

let runCounter = 1;
export function nextRun(): number {
  runCounter += 1;
  return runCounter;
}

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  count: number;
}

export function latencyOf(h: Histogram): Latency {
  return {
    p50: round(h.percentile(50), 2),
    p90: round(h.percentile(90), 2),
    p99: round(h.percentile(99), 2),
    p999: round(h.percentile(99.9), 2),
    max: round(h.max, 2),
    mean: round(h.mean(), 2),
    count: h.count,
  };
}

export interface StepResult {
  run: number;
  rate: number;
  durationMs: number;
  payloadBytes: number;
  subscribers: number;
  send: Omit<SendResult, 'ack'> & { ackLatency: Latency };
  expected: number;
  received: number;
  lost: number;
  reordered: number;
  latency: Latency;
  /** Latency per group of generators (e.g. per instance in the cluster scenario). */
  groups: Record<string, Latency & { received: number }>;
  hist: HistogramData;
  deliveriesPerSec: number;
  serverCpuUs: number;
  /** Per instance, same order as deployment.instances. */
  instanceCpuUs: number[];
  cpuUsPerDelivery: number;
  serverCores: number;
  redisCpuUs: number | null;
  /** CPU of the Postgres backends serving the deployment's database (Parley on Postgres only). */
  dbCpuUs: number | null;
  genCores: number;
  eventLoopP99Ms: number | null;
  rssKb: number;
  wallMs: number;
  passes100: boolean;
}

export interface SubGroup {
  name: string;
  gens: Gen[];
}

/** Waits until the servers' CPU use falls under `cores` (a backlog from the previous step is done). */
export async function waitQuiet(pids: number[], cores = 0.15, maxMs = 15_000): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < 150 && performance.now() - start < maxMs; i += 1) {
    const a = cpuUs(pids);
    await sleep(150);
    if ((cpuUs(pids) - a) / 150_000 < cores) break;
  }
  return performance.now() - start;
}

/**
 * Waits, with the subscribers still connected, for Parley's offline-notification jobs of the messages
 * just sent (they run `NOTIFY_DELAY_MS` after each send). Disconnecting first would make every member
 * offline for the last few seconds of messages: one notification per member and message (measured
 * 2026-12-01T14-53-58: 332 messages × 999 members took 56.6 s of the server), work a steady group does
 * not have, billed to whatever ran next. Bounded; logs what it saw.
 */
export async function drainJobs(dep: Deployment, log: (line: string) => void, after: string, maxMs = 240_000): Promise<void> {
  const start = performance.now();
  const pendingNow = async () => (await Promise.all(dep.instances.map((i) => pendingNotifyJobs(i.http)))).reduce<number>((a, n) => a + (n ?? 0), 0);
  const first = await pendingNow();
  if (first === 0) return;
  let pending = first;
  for (let i = 0; i < 2400 && pending > 0 && performance.now() - start < maxMs; i += 1) {
    await sleep(100);
    pending = await pendingNow();
  }
  const waited = Math.round((performance.now() - start) / 100) / 10;
  log(`  ${dep.label}: ${first} notification jobs pending after ${after}; ${pending === 0 ? `finished in ${waited} s` : `${pending} still pending after ${waited} s`}`);
}

async function allStats(groups: SubGroup[]): Promise<Array<{ group: string; s: SubStats }>> {
  const out: Array<{ group: string; s: SubStats }> = [];
  await Promise.all(
    groups.flatMap((g) => g.gens.map(async (gen) => out.push({ group: g.name, s: await gen.request<SubStats>({ cmd: 'stats' }) }))),
  );
  return out;
}

export interface StepOptions {
  dep: Deployment;
  groups: SubGroup[];
  sender: Gen;
  rooms: string[];
  rate: number;
  durationMs: number;
  payloadBytes: number;
  /** Deliveries expected per message sent (subscribers of the room; 1 in the chat scenario). */
  perMessage: number;
  /** Longest wait for stragglers after the last send. */
  drainMs: number;
  p99LimitMs?: number;
}

export async function runStep(o: StepOptions): Promise<StepResult> {
  const run = nextRun();
  const gens = o.groups.flatMap((g) => g.gens);
  const pids = o.dep.serverPids();
  await waitQuiet(pids);
  await Promise.all(gens.map((g) => g.request({ cmd: 'arm', run })));
  await Promise.all(o.dep.instances.map((i) => scrape(i.http)));
  const instMeters = pids.map((p) => new CpuMeter([p]));
  const genMeter = new CpuMeter([...gens.map((g) => g.pid), o.sender.pid]);
  const redisMeter = o.dep.redis ? new CpuMeter([o.dep.redis.child.pid]) : null;
  const dbMeter = o.dep.db ? new CpuMeter(pgBackends(o.dep.db.name)) : null;
  for (const m of instMeters) m.start();
  genMeter.start();
  redisMeter?.start();
  dbMeter?.start();
  const t0 = performance.now();

  const send = await o.sender.request<SendResult>(
    { cmd: 'send', run, rate: o.rate, durationMs: o.durationMs, payloadBytes: o.payloadBytes, rooms: o.rooms },
    o.durationMs + 60_000,
  );
  const expected = (send.sent - send.failed) * o.perMessage;
  // Drain: until everything arrived, or nothing moved for a while, bounded in time and count.
  let stats = await allStats(o.groups);
  let received = stats.reduce((a, x) => a + x.s.received, 0);
  const drainEnd = performance.now() + o.drainMs;
  let lastMove = performance.now();
  for (let i = 0; i < 1000 && received < expected && performance.now() < drainEnd; i += 1) {
    await sleep(100);
    stats = await allStats(o.groups);
    const now = stats.reduce((a, x) => a + x.s.received, 0);
    if (now > received) lastMove = performance.now();
    else if (performance.now() - lastMove > Math.min(2000, o.drainMs)) break;
    received = now;
  }
  received = stats.reduce((a, x) => a + x.s.received, 0);
  const wallMs = performance.now() - t0;
  const inst = instMeters.map((m) => m.stop());
  const gen = genMeter.stop();
  const redis = redisMeter?.stop() ?? null;
  const db = dbMeter?.stop() ?? null;
  const metrics = await Promise.all(o.dep.instances.map((i) => scrape(i.http)));
  const eld = metrics.map((m) => m[ELD_P99]).filter((v): v is number => Number.isFinite(v));

  const hist = Histogram.from(stats.map((x) => x.s.hist));
  const groups: StepResult['groups'] = {};
  for (const g of o.groups) {
    const mine = stats.filter((x) => x.group === g.name);
    groups[g.name] = { ...latencyOf(Histogram.from(mine.map((x) => x.s.hist))), received: mine.reduce((a, x) => a + x.s.received, 0) };
  }
  const firstAt = Math.min(...stats.map((x) => x.s.firstAt).filter((v) => v > 0));
  const lastAt = Math.max(...stats.map((x) => x.s.lastAt));
  const spanMs = Number.isFinite(firstAt) && lastAt > firstAt ? lastAt - firstAt : send.sendMs;
  const serverCpuUs = inst.reduce((a, x) => a + x.cpuUs, 0);
  const latency = latencyOf(hist);
  const lost = Math.max(0, expected - received);
  const { ack, ...sendRest } = send;
  return {
    run,
    rate: o.rate,
    durationMs: o.durationMs,
    payloadBytes: o.payloadBytes,
    subscribers: o.perMessage,
    send: { ...sendRest, ackLatency: latencyOf(Histogram.from([ack])) },
    expected,
    received,
    lost,
    reordered: stats.reduce((a, x) => a + x.s.reordered, 0),
    latency,
    groups,
    hist: hist.toJSON(),
    deliveriesPerSec: round((received / Math.max(spanMs, send.sendMs)) * 1000, 0),
    serverCpuUs,
    instanceCpuUs: inst.map((x) => x.cpuUs),
    cpuUsPerDelivery: received ? round(serverCpuUs / received, 2) : NaN,
    serverCores: round(serverCpuUs / 1000 / wallMs, 2),
    redisCpuUs: redis ? redis.cpuUs : null,
    dbCpuUs: db ? db.cpuUs : null,
    genCores: round(gen.cores, 2),
    eventLoopP99Ms: eld.length ? round(Math.max(...eld), 1) : null,
    rssKb: rssKb(pids),
    wallMs: round(wallMs, 0),
    passes100: lost === 0 && send.failed === 0 && send.skipped === 0 && latency.p99 < (o.p99LimitMs ?? 100),
  };
}

/**
 * A few messages every subscriber must see before measuring: proves each subscription is live (tRPC
 * answers `started` before the generator has subscribed to the bus).
 */
export async function warmUp(o: Omit<StepOptions, 'rate' | 'durationMs' | 'drainMs'>, maxMs = 15_000): Promise<{ ok: boolean; missing: number; ms: number }> {
  const start = performance.now();
  let missing = 0;
  for (let attempt = 0; attempt < 3 && performance.now() - start < maxMs; attempt += 1) {
    const r = await runStep({ ...o, rate: 20, durationMs: 150, drainMs: 5000 });
    missing = r.lost;
    if (r.lost === 0 && r.send.failed === 0) return { ok: true, missing: 0, ms: performance.now() - start };
    await sleep(500);
  }
  return { ok: false, missing, ms: performance.now() - start };
}
