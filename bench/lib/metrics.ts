/** Reads a target's Prometheus text; every target exposes the same names (see targets/server-metrics.ts). */
export async function scrape(httpBase: string): Promise<Record<string, number>> {
  try {
    const res = await fetch(`${httpBase}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return {};
    const out: Record<string, number> = {};
    for (const line of (await res.text()).split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+([-+0-9.eE]+|NaN)/);
      if (m) out[m[1]!] = Number(m[2]);
    }
    return out;
  } catch {
    return {};
  }
}

export const ELD_P99 = 'parley_event_loop_delay_p99_ms';
export const HEAP_USED = ['parley_heap_used_bytes', 'nodejs_heap_size_used_bytes'];

export function heapUsed(m: Record<string, number>): number | null {
  for (const name of HEAP_USED) if (Number.isFinite(m[name])) return m[name]!;
  return null;
}

/**
 * Parley's notify jobs not yet finished (waiting, delayed or running) on one instance: 0 for targets
 * without job queues, null when /metrics does not answer.
 */
export async function pendingNotifyJobs(httpBase: string): Promise<number | null> {
  try {
    const res = await fetch(`${httpBase}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return null;
    let pending = 0;
    for (const m of (await res.text()).matchAll(/^parley_queue_jobs\{queue="notify",state="(waiting|delayed|active)"\}\s+(\d+)/gm)) pending += Number(m[2]);
    return pending;
  } catch {
    return null;
  }
}
