import type { ConnectCmd } from '../gen/client.ts';
import type { Cred, TargetName } from '../gen/protocols.ts';
import { Gen, GenPool, type ConnectResult } from '../lib/gen-handle.ts';

/** The harness's generator processes (one pool per harness run). */
export const genPool = new GenPool();

export interface ConnectedGroup {
  name: string;
  gens: Gen[];
  connected: number;
  failed: number;
  errors: Record<string, number>;
  ms: number;
  stop(): Promise<void>;
}

/** Connections per generator process: one process stays well under its open-files limit. */
export const PER_GEN = 5000;

/** Opens `creds.length` connections of one role, split over as many generator processes as needed. */
export async function connectGroup(o: {
  name: string;
  target: TargetName;
  bases: string[];
  creds: Cred[];
  role: ConnectCmd['role'];
  rooms?: Array<string | null>;
  perGen?: number;
  localAddresses?: string[];
  concurrency?: number;
}): Promise<ConnectedGroup> {
  const per = o.perGen ?? PER_GEN;
  const count = Math.max(1, Math.ceil(o.creds.length / per));
  const gens = Array.from({ length: count }, () => genPool.take());
  try {
    const results = await Promise.all(
      gens.map((gen, i) =>
        gen.request<ConnectResult>(
          {
            cmd: 'connect',
            target: o.target,
            bases: o.bases,
            creds: o.creds.slice(i * per, (i + 1) * per),
            role: o.role,
            ...(o.rooms ? { rooms: o.rooms } : {}),
            ...(o.localAddresses ? { localAddresses: o.localAddresses } : {}),
            concurrency: o.concurrency ?? 64,
          },
          300_000,
        ),
      ),
    );
    const errors: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    return {
      name: o.name,
      gens,
      connected: results.reduce((a, r) => a + r.connected, 0),
      failed: results.reduce((a, r) => a + r.failed, 0),
      errors,
      // Handshake time as the generators saw it (process start-up excluded).
      ms: Math.max(...results.map((r) => r.ms)),
      stop: async () => {
        await Promise.all(gens.map((g) => genPool.release(g)));
      },
    };
  } catch (error) {
    await Promise.all(gens.map((g) => genPool.release(g)));
    throw error;
  }
}

/**
 * Reuses the first `count` connections of an idle group as subscribers of `rooms` (same users in the
 * same order as `connectGroup` would have opened them); the rest are closed and spare generators
 * released. The idle group must not be stopped separately afterwards.
 */
export async function adoptGroup(idle: ConnectedGroup, count: number, rooms: Array<string | null>, per = PER_GEN): Promise<ConnectedGroup> {
  const keep = idle.gens.slice(0, Math.ceil(count / per));
  await Promise.all(idle.gens.slice(keep.length).map((g) => genPool.release(g)));
  const results = await Promise.all(keep.map((g, i) => g.request<ConnectResult>({ cmd: 'adopt', count: Math.min(per, count - i * per), rooms }, 300_000)));
  const errors: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  return {
    name: `${idle.name}-adopted`,
    gens: keep,
    connected: results.reduce((a, r) => a + r.connected, 0),
    failed: results.reduce((a, r) => a + r.failed, 0),
    errors,
    ms: Math.max(...results.map((r) => r.ms)),
    stop: async () => {
      await Promise.all(keep.map((g) => genPool.release(g)));
    },
  };
}
