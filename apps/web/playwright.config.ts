import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/** Free ports, picked together so they differ (both are held open until both are known). */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = createServer().listen(0, '127.0.0.1');
      servers.push(server);
      await once(server, 'listening');
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

// Picked once by the runner and kept in its environment: the config is loaded again in every worker
// process, which inherits that environment, so the fixtures see the same ports. Set either variable to
// choose a port; one that is taken fails the run with a message naming it.
if (!process.env.E2E_WEB_PORT || !process.env.E2E_SERVER_PORT) {
  const [web, server] = await freePorts(2);
  process.env.E2E_WEB_PORT ??= String(web);
  process.env.E2E_SERVER_PORT ??= String(server);
}
export const E2E_WEB_PORT = Number(process.env.E2E_WEB_PORT);
export const E2E_SERVER_PORT = Number(process.env.E2E_SERVER_PORT);
export const E2E_SERVICE_TOKEN = 'e2e-service-token-123456';
export const E2E_SESSION_IDLE_TIMEOUT_MS = 10_000;

const webDir = import.meta.dirname;
const repoRoot = path.resolve(webDir, '../..');
const serverUrl = `http://127.0.0.1:${E2E_SERVER_PORT}`;

// Debian's Chromium: this machine has no network for `playwright install`.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './e2e',
  // Two cores: one browser at a time, and every test shares one server anyway.
  workers: 1,
  fullyParallel: false,
  timeout: 45_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${E2E_WEB_PORT}`,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: [
    {
      // The real server on a private redis-server (see start-server.ts); the store is PGlite in memory.
      command: 'pnpm exec tsx apps/web/e2e/start-server.ts',
      cwd: repoRoot,
      // /readyz: the store and Redis answer, not only the process.
      url: `${serverUrl}/readyz`,
      env: {
        STORE: 'pglite',
        DATA_DIR: 'memory://',
        AUTH_MODE: 'dev',
        HOST: '127.0.0.1',
        PORT: String(E2E_SERVER_PORT),
        SERVICE_TOKEN: E2E_SERVICE_TOKEN,
        // The paging test writes a long history quickly; limits have their own server tests.
        RATE_SEND_PER_SEC: '0',
        // Sessions idle for 10 s end (the session-timeout test withholds its answers to pings); every
        // other page stays signed in only by answering the 2 s pings, which the whole suite proves.
        // The long pong wait keeps the server from dropping the silent socket first.
        PING_INTERVAL_MS: '2000',
        PONG_WAIT_MS: '60000',
        SESSION_IDLE_TIMEOUT_MS: String(E2E_SESSION_IDLE_TIMEOUT_MS),
        SWEEP_INTERVAL_MS: '500',
      },
      reuseExistingServer: false,
      timeout: 60_000,
      // No graceful shutdown: Playwright kills the process group (server and redis-server at once),
      // which leaves nothing behind and logs no reconnect noise from a server outliving its Redis.
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      // A production build (more faithful and steadier than `next dev`), in its own folder so a
      // running `next dev` keeps its `.next`. The server URL is inlined at build time.
      command: `pnpm exec next build && pnpm exec next start -p ${E2E_WEB_PORT} -H 127.0.0.1`,
      cwd: webDir,
      url: `http://127.0.0.1:${E2E_WEB_PORT}`,
      env: {
        NEXT_PUBLIC_PARLEY_WS_URL: `ws://127.0.0.1:${E2E_SERVER_PORT}/trpc`,
        NEXT_DIST_DIR: '.next-e2e',
        NEXT_TELEMETRY_DISABLED: '1',
      },
      reuseExistingServer: false,
      timeout: 240_000,
      stdout: 'pipe',
    },
  ],
});
