/**
 * Parley benchmark harness: `pnpm bench` (quick, < 3 min) and `pnpm bench:full`.
 * Every target runs in the same run, on the same machine, with the same generator and payload,
 * interleaved (A B C A B C); reports use medians of the repeats. See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, USAGE } from './lib/args.ts';
import { makePlan, type Plan } from './lib/plan.ts';
import { BENCH_DIR, REPO_DIR, setLogDir, stopAll } from './lib/proc.ts';
import type { Row } from './lib/rows.ts';
import { postgresAvailable } from './lib/services.ts';
import { writeReport, type RunMeta } from './report.ts';
import { chat } from './scenarios/chat.ts';
import { cluster } from './scenarios/cluster.ts';
import { fanout, type SessionCtx } from './scenarios/fanout.ts';
import { idle } from './scenarios/idle.ts';
import { slow } from './scenarios/slow.ts';
import { deploy } from './targets/deploy.ts';
import { genPool, type ConnectedGroup } from './scenarios/groups.ts';

function fdHardLimit(): number {
  try {
    const v = execFileSync('bash', ['-c', 'ulimit -Hn']).toString().trim();
    return v === 'unlimited' ? 1_048_576 : Number(v);
  } catch {
    return 1024;
  }
}

function gitRev(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

function stamp(d: Date): string {
  return d.toISOString().replace(/:/g, '-').replace(/\..*$/, '');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const started = new Date();
  const plan: Plan = makePlan(args.mode, fdHardLimit());
  if (args.repeats) plan.repeats = args.repeats;
  if (args.targets) plan.targets = args.targets;
  if (args.scenarios) plan.scenarios = args.scenarios;
  plan.parleyRedis = args.parleyRedis;
  const outDir = args.out ?? join(BENCH_DIR, 'results', stamp(started));
  setLogDir(join(outDir, 'logs'));
  // V8 names each profile CPU.<date>.<time>.<pid>…; the log line after each start maps pids to targets.
  const nodeArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'profiles')}`] : [];
  const profiled = (dep: { label: string; serverPids(): number[] }) => {
    if (args.profile) log(`  profiling ${dep.label}: pid ${dep.serverPids().join(', ')} → ${join(outDir, 'profiles')}`);
  };
  const has = (s: Plan['scenarios'][number]) => plan.scenarios.includes(s);
  const pgUp = await postgresAvailable();
  plan.parleyStore = args.parleyStore ?? (pgUp ? 'postgres' : 'pglite');
  if (plan.parleyStore === 'postgres' && !pgUp) throw new Error('--parley-store postgres: the local Postgres is not reachable');

  const t00 = performance.now();
  const log = (line: string) => {
    const at = `${Math.round((performance.now() - t00) / 100) / 10}`.padStart(6);
    process.stdout.write(line.startsWith(' ') ? `${at}s ${line}\n` : `${line}\n`);
  };
  const meta: RunMeta = {
    started: started.toISOString(),
    finished: '',
    mode: plan.mode,
    git: gitRev(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    memGiB: Math.round(totalmem() / 2 ** 30),
    loadavgAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
    postgres: pgUp,
    errors: [],
    outDir,
  };
  const rows: Row[] = [];

  log(`Parley bench (${plan.mode}) → ${outDir}`);
  log(`targets: ${plan.targets.join(', ')} | scenarios: ${plan.scenarios.join(', ')} | repeats: ${plan.repeats} (interleaved) | payload ${plan.payloadBytes} B`);
  if (has('idle')) log(`idle: N=${plan.idle.n}${plan.idle.capNote ? ` (${plan.idle.capNote})` : ''}`);
  if (has('fanout'))
    log(`fan-out: N=${plan.fanout.ns.join('/')}, ${plan.fanout.search ? `rate search from ${plan.fanout.search.startDeliveries} deliveries/s ×${plan.fanout.search.factor}` : `rates ${plan.fanout.ns.map((n) => plan.fanout.grid(n).join('/')).join(' ')} msg/s`}, ${plan.fanout.durationMs} ms per step`);
  if (has('slow')) log(`slow consumers: ${plan.slow.healthy} healthy + ${plan.slow.slow} paused, ${plan.slow.rate} msg/s × ${plan.slow.payloadBytes} B for ${plan.slow.phase2Ms} ms`);
  if (has('chat')) log(`chat (parley only): ${plan.chat.conversations} conversations at ${plan.chat.rates.join('/')} msg/s on ${plan.chat.stores.join(' and ')}${pgUp ? '' : ' — Postgres not reachable, postgres runs will be skipped'}`);
  if (has('cluster')) log(`cluster: 2 instances + Redis, N=${plan.cluster.n} at ${plan.cluster.rates.join('/')} msg/s, targets ${plan.cluster.targets.filter((t) => plan.targets.includes(t)).join(', ')}`);
  log(`parley single instance: REDIS_URL=${plan.parleyRedis ? 'redis (private)' : 'memory://'}, STORE=${plan.parleyStore === 'postgres' ? 'postgres (fresh database)' : 'pglite memory://'}, LOG_LEVEL=warn`);

  const save = async () => {
    meta.finished = new Date().toISOString();
    meta.loadavgAtEnd = loadavg().map((v) => Math.round(v * 100) / 100);
    return writeReport(outDir, { meta, plan, rows });
  };
  const fail = (where: string, error: unknown) => {
    const message = `${where}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 2000);
    meta.errors.push(message);
    log(`  ERROR ${message}`);
  };

  // The whole run is bounded too: past this, what was measured is written and everything stopped.
  const limitMs = plan.mode === 'quick' ? 10 * 60_000 : 5 * 3600_000;
  const watchdog = setTimeout(() => {
    fail('harness', new Error(`run exceeded ${limitMs / 60_000} min: stopped`));
    void save()
      .catch(() => '')
      .finally(async () => {
        await genPool.stopAll().catch(() => {});
        await stopAll();
        process.exit(2);
      });
  }, limitMs);
  watchdog.unref();

  const single = plan.scenarios.filter((s) => s === 'idle' || s === 'fanout' || s === 'slow');
  const chatOn = (store: 'postgres' | 'pglite') => has('chat') && plan.targets.includes('parley') && plan.chat.stores.includes(store);
  const userCount = Math.max(
    ...(has('fanout') ? plan.fanout.ns : [1]),
    has('slow') ? 1 + plan.slow.healthy + plan.slow.slow : 1,
    has('idle') && !has('fanout') ? Math.min(plan.idle.n, 1000) : 1,
  );
  const seconds = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;

  for (let repeat = 1; repeat <= plan.repeats; repeat += 1) {
    // Single instance: idle, fan-out, slow consumers (and Parley's chat on PGlite, same process).
    for (const target of plan.targets) {
      // Chat on PGlite runs in the single-instance session when that one is on PGlite, else in its own.
      const withChat = target === 'parley' && chatOn('pglite') && plan.parleyStore === 'pglite';
      if (!single.length && !withChat) continue;
      const t0 = performance.now();
      log(`[${repeat}/${plan.repeats}] ${target}`);
      let dep;
      try {
        genPool.prewarm(4);
        dep = await deploy({
          target,
          redis: target === 'parley' ? plan.parleyRedis : undefined,
          ...(target === 'parley' && plan.parleyStore === 'postgres' ? { store: 'postgres' as const } : {}),
          nodeArgs,
        });
        profiled(dep);
        const users = single.length ? await dep.users(userCount, `u${repeat}_`) : [];
        log(`  ${target}: up, ${users.length} users, ${seconds(t0)} s`);
        const ctx: SessionCtx = { dep, users, repeat, plan, log, idleGroup: null };
        const keep = has('fanout') ? (g: ConnectedGroup) => (ctx.idleGroup = g) : undefined;
        if (has('idle')) rows.push(...(await idle(ctx, keep).catch((e) => (fail(`${target} idle`, e), []))));
        if (has('fanout')) rows.push(...(await fanout(ctx).catch((e) => (fail(`${target} fan-out`, e), []))));
        await ctx.idleGroup?.stop();
        ctx.idleGroup = null;
        if (has('slow')) rows.push(...(await slow(ctx).catch((e) => (fail(`${target} slow`, e), []))));
        if (withChat) rows.push(...(await chat({ dep, store: 'pglite', repeat, plan, log }).catch((e) => (fail('chat pglite', e), []))));
      } catch (error) {
        fail(`${target} session`, error);
      } finally {
        await dep?.stop();
      }
      log(`  ${target}: session ${seconds(t0)} s`);
      await save();
    }
    if (chatOn('pglite') && plan.parleyStore !== 'pglite') {
      const t0 = performance.now();
      log(`[${repeat}/${plan.repeats}] parley on PGlite (chat)`);
      let dep;
      try {
        dep = await deploy({ target: 'parley', label: 'parley-pglite', nodeArgs });
        profiled(dep);
        rows.push(...(await chat({ dep, store: 'pglite', repeat, plan, log }).catch((e) => (fail('chat pglite', e), []))));
      } catch (error) {
        fail('parley on PGlite session', error);
      } finally {
        await dep?.stop();
      }
      log(`  parley on PGlite: session ${seconds(t0)} s`);
      await save();
    }
    // Two instances + Redis (Parley on a fresh Postgres database): chat on Postgres, then the cluster phases.
    const clusterTargets = has('cluster') ? plan.cluster.targets.filter((t) => plan.targets.includes(t)) : [];
    if (chatOn('postgres') && !clusterTargets.includes('parley')) clusterTargets.push('parley');
    for (const target of clusterTargets) {
      const withChat = target === 'parley' && chatOn('postgres');
      if (target === 'parley' && !pgUp) {
        fail('parley on Postgres', new Error('skipped: the local Postgres is not reachable (chat on Postgres and the Parley cluster need it)'));
        continue;
      }
      const t0 = performance.now();
      const instances = has('cluster') ? 2 : 1;
      log(`[${repeat}/${plan.repeats}] ${target} × ${instances} + Redis${target === 'parley' ? ' + Postgres' : ''}`);
      let dep;
      try {
        genPool.prewarm(4);
        dep = await deploy({ target, instances, redis: true, store: 'postgres', label: `${target}-x${instances}`, nodeArgs });
        profiled(dep);
        log(`  ${target} × ${instances}: up, ${seconds(t0)} s`);
        if (withChat) rows.push(...(await chat({ dep, store: 'postgres', repeat, plan, log }).catch((e) => (fail('chat postgres', e), []))));
        if (has('cluster')) rows.push(...(await cluster({ dep, repeat, plan, log }).catch((e) => (fail(`cluster ${target}`, e), []))));
      } catch (error) {
        fail(`${target} cluster session`, error);
      } finally {
        await dep?.stop();
      }
      log(`  ${target} × ${instances}: session ${seconds(t0)} s`);
      await save();
    }
  }
  clearTimeout(watchdog);
  const markdown = await save();
  log('');
  log(markdown);
  log(`results: ${outDir}/report.md, results.json, latency.svg (total ${Math.round((Date.now() - started.getTime()) / 1000)} s)`);
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await genPool.stopAll().catch(() => {});
    await stopAll();
    // Anything left (sockets, timers) must not keep the harness alive.
    setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  });
