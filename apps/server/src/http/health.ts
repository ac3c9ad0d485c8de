import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '@parley/db';

export interface Probes {
  store: Store;
  /** null when the roles run in memory (no Redis to reach). */
  redisHealthy: () => boolean | null;
  metrics: () => Promise<string>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** `/healthz` (process up), `/readyz` (store and Redis reachable), `/metrics` (Prometheus text). */
export function healthHandler(probes: Probes) {
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/healthz') {
      json(res, 200, { ok: true });
      return true;
    }
    if (path === '/readyz') {
      const store = await probes.store.ping().then(() => 'ok', () => 'down');
      const redisUp = probes.redisHealthy();
      const redis = redisUp === null ? 'not used' : redisUp ? 'ok' : 'down';
      const ok = store === 'ok' && redis !== 'down';
      json(res, ok ? 200 : 503, { ok, store, redis, ...(redis === 'down' ? { degraded: 'events reach only this instance until Redis returns' } : {}) });
      return true;
    }
    if (path === '/metrics') {
      const text = await probes.metrics();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(text);
      return true;
    }
    return false;
  };
}
