import type { TargetName } from '../gen/protocols.ts';

export type ScenarioName = 'idle' | 'fanout' | 'slow' | 'chat' | 'cluster';
export const SCENARIOS: ScenarioName[] = ['idle', 'fanout', 'slow', 'chat', 'cluster'];

/**
 * Bytes a paused loopback socket soaks up in kernel buffers before a server's own queue grows (measured
 * on this machine kind: about 8 MB per socket). Slow-consumer runs offering less than twice this per
 * socket cannot show unbounded growth, and the report says so.
 */
export const KERNEL_BUFFER_BYTES = 8e6;

export interface Plan {
  mode: 'quick' | 'full';
  repeats: number;
  targets: TargetName[];
  scenarios: ScenarioName[];
  payloadBytes: number;
  /** Single-instance Parley runs with REDIS_URL=memory:// unless set. */
  parleyRedis: boolean;
  /**
   * Single-instance Parley's store: a fresh database of the local Postgres (as deployed), or PGlite in
   * memory, whose WASM runs on the server's own event loop. @default 'postgres' when reachable
   */
  parleyStore: 'postgres' | 'pglite';
  idle: { n: number; requested: number; capNote: string | null };
  fanout: {
    ns: number[];
    /** Fixed grid (quick) in messages per second, per N. */
    grid: (n: number) => number[];
    /** Rate search (full): start at this many deliveries/s, multiply by `factor` until p99 ≥ 100 ms or a loss, then one bisection. */
    search: { startDeliveries: number; factor: number; maxSteps: number } | null;
    durationMs: number;
    drainMs: number;
  };
  slow: { healthy: number; slow: number; rate: number; payloadBytes: number; phase1Ms: number; phase2Ms: number };
  chat: { conversations: number; rates: number[]; durationMs: number; stores: Array<'postgres' | 'pglite'>; p99LimitMs: number };
  cluster: { n: number; rates: number[]; durationMs: number; targets: TargetName[] };
}

export function makePlan(mode: 'quick' | 'full', fdHardLimit: number): Plan {
  // Quick: as many idle connections as fan-out subscribers, which reuses them.
  const idleRequested = mode === 'quick' ? 1000 : 20_000;
  // The server needs a few descriptors besides its sockets (listener, Redis, store, stdio, epoll).
  const idleCap = Math.max(100, fdHardLimit - 200);
  const idleN = Math.min(idleRequested, idleCap);
  const base = {
    mode,
    targets: ['raw-ws', 'socketio', 'parley'] as TargetName[],
    scenarios: [...(['idle', 'fanout', 'slow', 'chat', 'cluster'] as ScenarioName[])],
    payloadBytes: 200,
    parleyRedis: false,
    parleyStore: 'postgres' as const,
    idle: {
      n: idleN,
      requested: idleRequested,
      capNote: idleN < idleRequested ? `capped at ${idleN}: the open-files hard limit here is ${fdHardLimit} per process and cannot be raised` : null,
    },
  };
  if (mode === 'quick') {
    return {
      ...base,
      // One repeat keeps the quick run under 3 minutes on this shared machine; numbers come from --full.
      repeats: 1,
      fanout: { ns: [1000], grid: () => [10, 40], search: null, durationMs: 1500, drainMs: 3000 },
      slow: { healthy: 10, slow: 10, rate: 250, payloadBytes: 4000, phase1Ms: 1000, phase2Ms: 3000 },
      chat: { conversations: 100, rates: [200], durationMs: 1500, stores: ['postgres'], p99LimitMs: 50 },
      cluster: { n: 300, rates: [30], durationMs: 1500, targets: ['socketio', 'parley'] },
    };
  }
  return {
    ...base,
    repeats: 3,
    fanout: {
      ns: [1000, 5000, 10_000],
      grid: () => [],
      search: { startDeliveries: 8000, factor: 1.6, maxSteps: 8 },
      durationMs: 4000,
      drainMs: 8000,
    },
    slow: { healthy: 50, slow: 20, rate: 250, payloadBytes: 4000, phase1Ms: 3000, phase2Ms: 30_000 },
    chat: { conversations: 1000, rates: [500, 1000, 1500], durationMs: 8000, stores: ['postgres', 'pglite'], p99LimitMs: 50 },
    cluster: { n: 2000, rates: [5, 15], durationMs: 4000, targets: ['raw-ws', 'socketio', 'parley'] },
  };
}
