/**
 * Fan-out: N subscribers of one room, one sender at rate R. Quick mode walks a fixed grid of rates;
 * full mode searches for the highest rate that holds p99 < 100 ms with nothing lost (bounded steps).
 */
import type { Cred } from '../gen/protocols.ts';
import type { Plan } from '../lib/plan.ts';
import { stepMetrics, type Row } from '../lib/rows.ts';
import { round } from '../lib/stats.ts';
import type { Deployment } from '../targets/deploy.ts';
import { drainJobs, runStep, warmUp, type StepResult } from './common.ts';
import { adoptGroup, connectGroup, type ConnectedGroup } from './groups.ts';

export interface SessionCtx {
  dep: Deployment;
  users: Cred[];
  repeat: number;
  plan: Plan;
  log: (line: string) => void;
  /** Open idle connections of users 0, 1, 2… that fan-out may subscribe instead of connecting anew. */
  idleGroup?: ConnectedGroup | null;
}

export async function fanout(ctx: SessionCtx): Promise<Row[]> {
  const { dep, plan, log } = ctx;
  const rows: Row[] = [];
  for (const n of plan.fanout.ns) {
    // The room has N members, all subscribed; the sender is one of them, sending over a second
    // connection (Parley conversations hold at most 10 000 members).
    const owner = ctx.users[0]!;
    const members = ctx.users.slice(0, n);
    if (members.length < n) throw new Error(`fan-out needs ${n} users, have ${ctx.users.length}`);
    const room = await dep.room(owner, members.slice(1));
    // The first fan-out reuses the idle scenario's connections (the same users, in order).
    const idleGroup = ctx.idleGroup && ctx.idleGroup.connected >= n ? ctx.idleGroup : null;
    if (ctx.idleGroup) {
      if (!idleGroup) await ctx.idleGroup.stop();
      ctx.idleGroup = null;
    }
    const [subs, sender] = await Promise.all([
      idleGroup
        ? adoptGroup(idleGroup, n, [room])
        : connectGroup({ name: `${dep.label}-fan${n}`, target: dep.target, bases: [dep.instances[0]!.ws], creds: members, role: 'sub', rooms: [room] }),
      connectGroup({ name: `${dep.label}-fan${n}-send`, target: dep.target, bases: [dep.instances[0]!.ws], creds: [owner], role: 'send' }),
    ]);
    try {
      log(`  fan-out N=${n}: ${subs.connected}/${n} subscribed in ${Math.round(subs.ms)} ms${idleGroup ? ' (idle connections reused)' : ''}${subs.failed ? ` (${subs.failed} failed: ${JSON.stringify(subs.errors)})` : ''}`);
      const base = { dep, groups: [{ name: 'all', gens: subs.gens }], sender: sender.gens[0]!, rooms: [room], payloadBytes: plan.payloadBytes, perMessage: subs.connected };
      const warm = await warmUp(base);
      if (!warm.ok) log(`  fan-out N=${n}: warm-up incomplete, ${warm.missing} deliveries missing`);
      const step = async (rate: number): Promise<StepResult> => {
        const r = await runStep({ ...base, rate, durationMs: plan.fanout.durationMs, drainMs: plan.fanout.drainMs });
        log(
          `  fan-out N=${n} R=${round(rate, 2)}/s: ${r.deliveriesPerSec} deliv/s, ${r.cpuUsPerDelivery} µs/deliv, p50 ${r.latency.p50} p99 ${r.latency.p99} max ${r.latency.max} ms, lost ${r.lost}${r.send.failed ? `, send errors ${r.send.failed} ${JSON.stringify(r.send.errors)}` : ''}, gen ${r.genCores} cores ${r.passes100 ? 'PASS' : 'FAIL'}`,
        );
        rows.push({
          scenario: 'fanout',
          target: dep.label,
          repeat: ctx.repeat,
          key: `N=${n} R=${round(rate, 2)}`,
          params: { n, rate: round(rate, 2), subscribed: subs.connected },
          m: stepMetrics(r),
          ...(warm.ok ? {} : { notes: [`warm-up missing ${warm.missing}`] }),
        });
        return r;
      };
      if (plan.fanout.search) {
        const s = plan.fanout.search;
        let rate = s.startDeliveries / n;
        let lastPass: number | null = null;
        let firstFail: number | null = null;
        const tried: number[] = [];
        for (let i = 0; i < s.maxSteps; i += 1) {
          tried.push(rate);
          const r = await step(rate);
          if (!r.passes100) {
            firstFail = rate;
            break;
          }
          lastPass = rate;
          rate *= s.factor;
        }
        if (firstFail !== null) {
          const mid = lastPass === null ? firstFail / s.factor : Math.sqrt(lastPass * firstFail);
          tried.push(mid);
          if ((await step(mid)).passes100) lastPass = Math.max(lastPass ?? 0, mid);
        }
        rows.push({
          scenario: 'fanout',
          target: dep.label,
          repeat: ctx.repeat,
          key: `N=${n} max`,
          params: { n },
          m: {
            maxRate: lastPass === null ? 0 : round(lastPass, 2),
            maxDeliveriesPerSec: lastPass === null ? 0 : Math.round(lastPass * n),
            searchCapped: firstFail === null ? 1 : 0,
            lowestTried: round(Math.min(...tried), 2),
          },
        });
      } else {
        let failedHard = false;
        for (const rate of plan.fanout.grid(n)) {
          if (failedHard) {
            log(`  fan-out N=${n} R=${rate}/s: skipped (a lower rate already failed)`);
            rows.push({ scenario: 'fanout', target: dep.label, repeat: ctx.repeat, key: `N=${n} R=${rate}`, params: { n, rate }, m: { pass: 0, skipped: 1 }, notes: ['skipped: a lower rate already failed'] });
            continue;
          }
          const r = await step(rate);
          if (!r.passes100) failedHard = true;
        }
      }
    } finally {
      await drainJobs(dep, log, `fan-out N=${n}`);
      await Promise.all([subs.stop(), sender.stop()]);
    }
  }
  return rows;
}
