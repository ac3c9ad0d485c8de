/**
 * Idle: N authenticated connections that do nothing. Server RSS and heap per connection (after minus
 * before, over N) and the connect rate (handshake + authentication, 64 in flight per generator).
 */
import type { SubStats } from '../lib/gen-handle.ts';
import { heapUsed, scrape } from '../lib/metrics.ts';
import { rssKb } from '../lib/procstat.ts';
import type { Row } from '../lib/rows.ts';
import { round, sleep } from '../lib/stats.ts';
import { waitQuiet } from './common.ts';
import type { SessionCtx } from './fanout.ts';
import { connectGroup, type ConnectedGroup } from './groups.ts';

/**
 * With `keep`, the connections stay open and are handed to `keep` (fan-out subscribes the first N
 * of them instead of opening new ones); otherwise they are closed.
 */
export async function idle(ctx: SessionCtx, keep?: (group: ConnectedGroup) => void): Promise<Row[]> {
  const { dep, plan, log } = ctx;
  const n = plan.idle.n;
  const pids = dep.serverPids();
  const http = dep.instances[0]!.http;
  await waitQuiet(pids);
  await sleep(300);
  const rssBefore = rssKb(pids);
  const heapBefore = heapUsed(await scrape(http));
  // Tokens are reused round-robin when there are fewer users than connections (a user's devices).
  const creds = Array.from({ length: n }, (_, i) => ctx.users[i % ctx.users.length]!);
  const group = await connectGroup({
    name: `${dep.label}-idle`,
    target: dep.target,
    bases: [dep.instances[0]!.ws],
    creds,
    role: 'idle',
    // Beyond ~10 000 connections, spread source addresses over loopback aliases (ephemeral ports).
    ...(n > 10_000 ? { localAddresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'] } : {}),
  });
  let handedOver = false;
  try {
    await waitQuiet(pids, 0.1, 20_000);
    await sleep(700);
    const rssAfter = rssKb(pids);
    const heapAfter = heapUsed(await scrape(http));
    const stats = await Promise.all(group.gens.map((g) => g.request<SubStats>({ cmd: 'stats' })));
    const open = stats.reduce((a, s) => a + s.open, 0);
    // Why connections closed while idle (1006: terminated, e.g. a missed keep-alive PONG; 4401: session ended).
    const closeCodes: Record<string, number> = {};
    for (const s of stats) for (const [code, count] of Object.entries(s.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + count;
    const perConnKb = group.connected ? (rssAfter - rssBefore) / group.connected : NaN;
    const heapPerConnKb = heapBefore !== null && heapAfter !== null && group.connected ? (heapAfter - heapBefore) / 1024 / group.connected : null;
    const connectPerSec = group.connected / (group.ms / 1000);
    handedOver = keep !== undefined && group.failed === 0;
    log(
      `  idle N=${n}: ${group.connected} connected (${group.failed} failed${group.failed ? ` ${JSON.stringify(group.errors)}` : ''}), ${open} still open after settling${Object.keys(closeCodes).length ? ` (close codes ${JSON.stringify(closeCodes)})` : ''}; ${Math.round(connectPerSec)} conn/s; RSS +${round(perConnKb, 1)} KB/conn${heapPerConnKb === null ? '' : `, heap +${round(heapPerConnKb, 1)} KB/conn`}`,
    );
    return [
      {
        scenario: 'idle',
        target: dep.label,
        repeat: ctx.repeat,
        key: `N=${n}`,
        params: { n, users: Math.min(n, ctx.users.length) },
        m: {
          connected: group.connected,
          failed: group.failed,
          openAfterSettle: open,
          connectPerSec: Math.round(connectPerSec),
          rssPerConnKb: round(perConnKb, 1),
          heapPerConnKb: heapPerConnKb === null ? null : round(heapPerConnKb, 1),
          rssBeforeMb: round(rssBefore / 1024, 1),
          rssAfterMb: round(rssAfter / 1024, 1),
        },
        ...(group.failed || Object.keys(closeCodes).length
          ? { notes: [...Object.entries(group.errors).map(([k, v]) => `${v}× ${k}`), ...Object.entries(closeCodes).map(([code, n]) => `${n}× closed with ${code} while idle`)] }
          : {}),
      },
    ];
  } finally {
    if (handedOver) keep!(group);
    else await group.stop();
  }
}
