import path from 'node:path';
import { defineConfig } from '@playwright/test';

/** Fixed test ports, apart from `pnpm dev` (3000 / 3001), so both can run at once. */
export const E2E_WEB_PORT = 3100;
export const E2E_SERVER_PORT = 3101;
export const E2E_SERVICE_TOKEN = 'e2e-service-token-123456';

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
      // The real server, in one process with in-memory store and fan-out.
      // TODO(redis): another change switches this to a real redis-server.
      command: 'pnpm exec tsx apps/server/src/main.ts',
      cwd: repoRoot,
      url: `${serverUrl}/healthz`,
      env: {
        REDIS_URL: 'memory://',
        DATA_DIR: 'memory://',
        AUTH_MODE: 'dev',
        HOST: '127.0.0.1',
        PORT: String(E2E_SERVER_PORT),
        SERVICE_TOKEN: E2E_SERVICE_TOKEN,
        // The paging test writes a long history quickly; limits have their own server tests.
        RATE_SEND_PER_SEC: '0',
      },
      reuseExistingServer: false,
      timeout: 60_000,
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
