/**
 * Chat: C one-to-one conversations. Each sender has its own connection; each receiver subscribes to
 * all its conversations (`chat.messages` with no conversationId, as an app does). Messages go round
 * the conversations at a total rate R: send → store → publish → deliver, timed end to end.
 * Parley only (the baselines store nothing); once on the local Postgres, once on PGlite.
 */
import type { Cred } from '../gen/protocols.ts';
import type { Plan } from '../lib/plan.ts';
import { stepMetrics, type Row } from '../lib/rows.ts';
import { pool, round } from '../lib/stats.ts';
import type { Deployment } from '../targets/deploy.ts';
import { drainJobs, runStep, warmUp } from './common.ts';
import { connectGroup } from './groups.ts';

/** Runs on instance A of an existing Parley deployment (its store decides the label). */
export async function chat(o: { dep: Deployment; store: 'postgres' | 'pglite'; repeat: number; plan: Plan; log: (l: string) => void }): Promise<Row[]> {
  const { plan, log, dep } = o;
  const c = plan.chat.conversations;
  const label = `parley/${o.store}`;
  const rows: Row[] = [];
  const t0 = performance.now();
  const users = await dep.users(2 * c, `c${o.repeat}_`);
  const senders: Cred[] = users.slice(0, c);
  const receivers: Cred[] = users.slice(c);
  const rooms = await pool(senders, 16, (s, i) => dep.room(s, [receivers[i]!]));
  log(`  chat/${o.store}: ${2 * c} users and ${c} conversations in ${Math.round(performance.now() - t0)} ms`);
  const bases = [dep.instances[0]!.ws];
  const subs = await connectGroup({ name: `${label.replace('/', '-')}-recv`, target: 'parley', bases, creds: receivers, role: 'sub', rooms: [null] });
  const send = await connectGroup({ name: `${label.replace('/', '-')}-send`, target: 'parley', bases, creds: senders, role: 'send' });
  try {
    if (subs.failed || send.failed) log(`  chat/${o.store}: connect failures ${subs.failed}+${send.failed} ${JSON.stringify({ ...subs.errors, ...send.errors })}`);
    const base = { dep, groups: [{ name: 'receivers', gens: subs.gens }], sender: send.gens[0]!, rooms, payloadBytes: plan.payloadBytes, perMessage: 1 };
    const warm = await warmUp(base);
    if (!warm.ok) log(`  chat/${o.store}: warm-up incomplete (${warm.missing} missing)`);
    for (const rate of plan.chat.rates) {
      const r = await runStep({ ...base, rate, durationMs: plan.chat.durationMs, drainMs: 5000, p99LimitMs: plan.chat.p99LimitMs });
      const pgUs = r.dbCpuUs;
      const m = { ...stepMetrics(r), cpuUsPerMessage: r.received ? round(r.serverCpuUs / r.received, 0) : null, pgCpuUsPerMessage: pgUs === null || !r.received ? null : round(pgUs / r.received, 0) };
      log(
        `  chat/${o.store} C=${c} R=${rate}/s: p50 ${r.latency.p50} p99 ${r.latency.p99} max ${r.latency.max} ms, lost ${r.lost}, send errors ${r.send.failed}${r.send.failed ? ` ${JSON.stringify(r.send.errors)}` : ''}, server ${m.cpuUsPerMessage} µs/msg${m.pgCpuUsPerMessage === null ? '' : ` + postgres ${m.pgCpuUsPerMessage} µs/msg`} ${r.passes100 ? 'PASS' : 'FAIL'} (p99 < ${plan.chat.p99LimitMs} ms)`,
      );
      rows.push({ scenario: 'chat', target: label, repeat: o.repeat, key: `C=${c} R=${rate}`, params: { conversations: c, rate, store: o.store, roles: dep.redis ? 'redis' : 'memory', instances: dep.instances.length }, m });
    }
  } finally {
    await drainJobs(dep, log, `chat/${o.store}`);
    await Promise.all([subs.stop(), send.stop()]);
  }
  return rows;
}
