import { describe, expect, it } from 'vitest';
import { httpClient } from './helpers/client.ts';
import { runToExit, startInstance } from './helpers/instance.ts';
import { startRedisServer } from './helpers/redis-server.ts';

describe('pnpm start (src/main.ts)', () => {
  it('logs "listening on <port>", serves, and exits cleanly on SIGTERM', async () => {
    await using redis = await startRedisServer();
    const instance = await startInstance({ REDIS_URL: redis.url, DATA_DIR: 'memory://', AUTH_MODE: 'dev' });
    const health = await fetch(`${instance.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = (await (await fetch(`${instance.url}/readyz`)).json()) as Record<string, unknown>;
    expect(ready).toMatchObject({ ok: true, store: 'ok', redis: 'ok' });
    const login = await httpClient(instance.url, null).auth.devLogin.mutate({ displayName: 'Ann' });
    expect(await httpClient(instance.url, login.token).users.me.query()).toMatchObject({ displayName: 'Ann' });
    expect(await instance.stop()).toEqual({ code: 0, signal: null });
  });

  it('exits with a message saying how to fix it when no Redis answers at REDIS_URL', async () => {
    const result = await runToExit({ REDIS_URL: 'redis://127.0.0.1:1', DATA_DIR: 'memory://', AUTH_MODE: 'dev' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no Redis answers at REDIS_URL=redis://127.0.0.1:1');
    expect(result.stderr).toContain('pnpm dev');
    expect(result.stdout).not.toContain('listening on');
  });

  it('refuses a bad configuration with the variable named', async () => {
    const result = await runToExit({ REDIS_URL: 'memory://', DATA_DIR: 'memory://', AUTH_MODE: 'sometimes' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AUTH_MODE');
    const webhook = await runToExit({ REDIS_URL: 'memory://', DATA_DIR: 'memory://', AUTH_MODE: 'dev', NOTIFIER: 'webhook' });
    expect(webhook.code).toBe(1);
    expect(webhook.stderr).toContain('NOTIFY_WEBHOOK_URL: required with NOTIFIER=webhook');
    expect(webhook.stderr).toContain('NOTIFY_WEBHOOK_SECRET: required with NOTIFIER=webhook');
  });
});
