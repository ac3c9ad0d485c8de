/**
 * Slow consumers: H healthy subscribers; phase 1 measures them alone. Then S more subscribers join
 * and stop reading at once (their sockets are paused before any traffic, so the kernel's loopback
 * buffers stay small), and phase 2 runs the same load while the server's RSS is sampled. A server that
 * bounds what it queues per socket stays flat (or drops the slow sockets); one that does not grows
 * with rate × payload × time. Payloads are larger here (see plan) to make that visible in seconds.
 */
import type { SubStats } from '../lib/gen-handle.ts';
import { scrape } from '../lib/metrics.ts';
import { rssKb } from '../lib/procstat.ts';
import { stepMetrics, type Row } from '../lib/rows.ts';
import { round, sleep } from '../lib/stats.ts';
import { drainJobs, runStep, waitQuiet, warmUp } from './common.ts';
import type { SessionCtx } from './fanout.ts';
import { connectGroup, type ConnectedGroup } from './groups.ts';

export async function slow(ctx: SessionCtx): Promise<Row[]> {
  const { dep, plan, log } = ctx;
  const p = plan.slow;
  const owner = ctx.users[0]!;
  const healthyCreds = ctx.users.slice(1, 1 + p.healthy);
  const slowCreds = ctx.users.slice(1 + p.healthy, 1 + p.healthy + p.slow);
  const room = await dep.room(owner, [...healthyCreds, ...slowCreds]);
  const bases = [dep.instances[0]!.ws];
  const [healthy, sender] = await Promise.all([
    connectGroup({ name: `${dep.label}-slow-ok`, target: dep.target, bases, creds: healthyCreds, role: 'sub', rooms: [room] }),
    connectGroup({ name: `${dep.label}-slow-send`, target: dep.target, bases, creds: [owner], role: 'send' }),
  ]);
  let stuck: ConnectedGroup | null = null;
  const pids = dep.serverPids();
  try {
    const base = { dep, sender: sender.gens[0]!, rooms: [room], payloadBytes: p.payloadBytes, groups: [{ name: 'healthy', gens: healthy.gens }], perMessage: healthy.connected };
    await warmUp(base);
    const before = await runStep({ ...base, rate: p.rate, durationMs: p.phase1Ms, drainMs: 3000 });

    stuck = await connectGroup({ name: `${dep.label}-slow-stuck`, target: dep.target, bases, creds: slowCreds, role: 'sub', rooms: [room] });
    await Promise.all(stuck.gens.map((g) => g.request({ cmd: 'pause' })));
    // tRPC answers `started` just before the stream is live.
    await sleep(300);
    const samples: Array<[number, number]> = [];
    const rss0 = rssKb(pids);
    const t0 = performance.now();
    const timer = setInterval(() => samples.push([performance.now() - t0, rssKb(pids)]), 250);
    let during;
    try {
      during = await runStep({ ...base, rate: p.rate, durationMs: p.phase2Ms, drainMs: 3000 });
    } finally {
      clearInterval(timer);
    }
    samples.push([performance.now() - t0, rssKb(pids)]);
    const gauge = (await scrape(dep.instances[0]!.http)).parley_connections;
    // A paused client cannot notice that the server dropped it: let it read again, then count.
    await Promise.all(stuck.gens.map((g) => g.request({ cmd: 'resume' })));
    await waitQuiet(pids, 0.15, 5000);
    await sleep(300);
    const stuckStats = await Promise.all(stuck.gens.map((g) => g.request<SubStats>({ cmd: 'stats' })));
    const dropped = stuckStats.reduce((a, s) => a + s.closed, 0);
    const peak = Math.max(rss0, ...samples.map((s) => s[1]));
    // Growth over the second half of phase 2: a bounded server has levelled off by then.
    const half = samples.filter((s) => s[0] >= p.phase2Ms / 2);
    const slopeMbPerS = half.length >= 2 ? (half[half.length - 1]![1] - half[0]![1]) / 1024 / ((half[half.length - 1]![0] - half[0]![0]) / 1000) : NaN;
    const m = {
      healthyP99Before: before.latency.p99,
      healthyP99During: during.latency.p99,
      healthyP50Before: before.latency.p50,
      healthyP50During: during.latency.p50,
      healthyMaxDuring: during.latency.max,
      // Send → acknowledged (stored and published) before and during: tells the send path from the writes.
      ackP50Before: before.send.ackLatency.p50,
      ackP50During: during.send.ackLatency.p50,
      ackP99During: during.send.ackLatency.p99,
      healthyLost: before.lost + during.lost,
      rssStartMb: round(rss0 / 1024, 1),
      rssPeakMb: round(peak / 1024, 1),
      rssGrowthMb: round((peak - rss0) / 1024, 1),
      rssSlopeMbPerS: round(slopeMbPerS, 2),
      slowDropped: dropped,
      serverConnectionsAtEnd: Number.isFinite(gauge) ? gauge! : null,
      cpuUsPerDelivery: during.cpuUsPerDelivery,
      eventLoopP99Ms: during.eventLoopP99Ms,
    };
    log(
      `  slow: ${healthy.connected} healthy, then ${stuck.connected} paused; healthy p99 ${before.latency.p99} → ${during.latency.p99} ms (send acknowledged p50 ${m.ackP50Before} → ${m.ackP50During} ms), lost ${m.healthyLost}; RSS ${m.rssStartMb} → peak ${m.rssPeakMb} MB (2nd-half slope ${m.rssSlopeMbPerS} MB/s); slow sockets dropped by server: ${dropped}`,
    );
    return [
      {
        scenario: 'slow',
        target: dep.label,
        repeat: ctx.repeat,
        key: `H=${p.healthy} S=${p.slow} R=${p.rate}`,
        params: { healthy: healthy.connected, slow: stuck.connected, rate: p.rate, payloadBytes: p.payloadBytes, phase2Ms: p.phase2Ms, offeredMbPerSlowSocket: round((p.rate * p.payloadBytes * p.phase2Ms) / 1000 / 1e6, 1) },
        m,
        notes: [`rss samples (ms:MB) ${samples.filter((_, i) => i % 4 === 0).map(([t, kb]) => `${Math.round(t)}:${round(kb / 1024, 0)}`).join(' ')}`],
      },
      { scenario: 'slow', target: dep.label, repeat: ctx.repeat, key: 'phase1', params: { rate: p.rate }, m: stepMetrics(before) },
    ];
  } finally {
    await drainJobs(dep, log, 'slow consumers');
    await Promise.all([healthy.stop(), sender.stop(), stuck?.stop()]);
  }
}
