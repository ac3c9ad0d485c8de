/**
 * Cluster: two instances and Redis. Phase "1x": all N subscribers and the sender on instance A.
 * Phase "2x": N/2 on A (local to the sender), N/2 on B (remote). Same processes, same rates, so the
 * total server CPU per delivery (A + B) and the p50 of the remote half compare directly.
 */
import type { Plan } from '../lib/plan.ts';
import { stepMetrics, type Row } from '../lib/rows.ts';
import { round } from '../lib/stats.ts';
import type { Deployment } from '../targets/deploy.ts';
import { drainJobs, runStep, warmUp } from './common.ts';
import { connectGroup, type ConnectedGroup } from './groups.ts';

/** Runs on a deployment of two instances sharing Redis (and, for Parley, the Postgres store). */
export async function cluster(o: { dep: Deployment; repeat: number; plan: Plan; log: (l: string) => void }): Promise<Row[]> {
  const { plan, log, dep } = o;
  const n = plan.cluster.n;
  const label = dep.target;
  if (dep.instances.length < 2) throw new Error('cluster needs two instances');
  const rows: Row[] = [];
  const users = await dep.users(n + 1, `k${o.repeat}_`);
  const owner = users[0]!;
  const members = users.slice(1);
  const room = await dep.room(owner, members);
  const [a, b] = dep.instances as [(typeof dep.instances)[0], (typeof dep.instances)[0]];
  const sender = await connectGroup({ name: `${label}-x2-send`, target: dep.target, bases: [a.ws], creds: [owner], role: 'send' });
  try {
    for (const phase of ['1x', '2x'] as const) {
      const groups: ConnectedGroup[] = [];
      try {
        if (phase === '1x') {
          groups.push(await connectGroup({ name: `${label}-x2-${phase}-a`, target: dep.target, bases: [a.ws], creds: members, role: 'sub', rooms: [room] }));
        } else {
          const half = Math.floor(members.length / 2);
          groups.push(await connectGroup({ name: `${label}-x2-${phase}-a`, target: dep.target, bases: [a.ws], creds: members.slice(0, half), role: 'sub', rooms: [room] }));
          groups.push(await connectGroup({ name: `${label}-x2-${phase}-b`, target: dep.target, bases: [b.ws], creds: members.slice(half), role: 'sub', rooms: [room] }));
        }
        const connected = groups.reduce((x, g) => x + g.connected, 0);
        const base = {
          dep,
          groups: groups.map((g, i) => ({ name: i === 0 ? 'local' : 'remote', gens: g.gens })),
          sender: sender.gens[0]!,
          rooms: [room],
          payloadBytes: plan.payloadBytes,
          perMessage: connected,
        };
        const warm = await warmUp(base);
        if (!warm.ok) log(`  cluster ${label} ${phase}: warm-up incomplete (${warm.missing} missing)`);
        for (const rate of plan.cluster.rates) {
          const r = await runStep({ ...base, rate, durationMs: plan.cluster.durationMs, drainMs: plan.fanout.drainMs });
          const local = r.groups.local!;
          const remote = r.groups.remote;
          log(
            `  cluster ${label} ${phase} N=${connected} R=${rate}/s: ${r.cpuUsPerDelivery} µs/deliv (A ${round(r.instanceCpuUs[0]! / 1000, 0)} ms, B ${round(r.instanceCpuUs[1]! / 1000, 0)} ms CPU), p50 local ${local.p50}${remote ? ` remote ${remote.p50}` : ''} ms, p99 ${r.latency.p99} ms, lost ${r.lost}`,
          );
          rows.push({
            scenario: 'cluster',
            target: label,
            repeat: o.repeat,
            key: `${phase} N=${n} R=${rate}`,
            params: { phase, n: connected, rate },
            m: {
              ...stepMetrics(r),
              cpuAms: round(r.instanceCpuUs[0]! / 1000, 0),
              cpuBms: round(r.instanceCpuUs[1]! / 1000, 0),
              p50Local: local.p50,
              p99Local: local.p99,
              p50Remote: remote ? remote.p50 : null,
              p99Remote: remote ? remote.p99 : null,
            },
          });
        }
      } finally {
        await drainJobs(dep, log, `cluster ${phase}`);
        await Promise.all(groups.map((g) => g.stop()));
      }
    }
  } finally {
    await sender.stop();
  }
  return rows;
}
