import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '@parley/api';
import superjson from 'superjson';
import { E2E_SERVER_PORT, E2E_SERVICE_TOKEN } from '../playwright.config';

export { expect };

export interface ChatUser {
  name: string;
  id: string;
  context: BrowserContext;
  page: Page;
}

export interface SignInOptions {
  viewport?: { width: number; height: number };
  /** Another tab of an already signed-in user (same context, so same localStorage token). */
  tabOf?: ChatUser;
}

export interface ConsoleGuard {
  errors: string[];
  allowed: RegExp[];
}

interface Fixtures {
  consoleGuard: ConsoleGuard;
  /** Signs a fresh user in through the UI, in a new browser context. */
  signIn: (name: string, options?: SignInOptions) => Promise<ChatUser>;
  /** Console errors matching this are expected in the current test (e.g. a refused WebSocket). */
  allowConsoleErrors: (pattern: RegExp) => void;
}

export function watchConsole(page: Page, who: string, guard: ConsoleGuard): void {
  page.on('console', (message) => {
    if (message.type() === 'error') guard.errors.push(`[${who}] ${message.text()}`);
  });
  page.on('pageerror', (error) => guard.errors.push(`[${who}] uncaught: ${error.message}`));
}

/** Ids are unique per test: every test shares one server, store and Redis. */
export function uniqueId(name: string): string {
  return `${name.toLowerCase()}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
}

export const test = base.extend<Fixtures>({
  // Any console error or uncaught exception on any page of the test fails it.
  consoleGuard: async ({}, use) => {
    const guard: ConsoleGuard = { errors: [], allowed: [] };
    await use(guard);
    const unexpected = guard.errors.filter((e) => !guard.allowed.some((pattern) => pattern.test(e)));
    expect(unexpected, 'console errors').toEqual([]);
  },

  allowConsoleErrors: async ({ consoleGuard }, use) => {
    await use((pattern) => consoleGuard.allowed.push(pattern));
  },

  page: async ({ page, consoleGuard }, use) => {
    watchConsole(page, 'page', consoleGuard);
    await use(page);
  },

  signIn: async ({ browser, consoleGuard }, use) => {
    const contexts: BrowserContext[] = [];
    const watch = (page: Page, who: string) => watchConsole(page, who, consoleGuard);

    await use(async (name, options = {}) => {
      if (options.tabOf) {
        const page = await options.tabOf.context.newPage();
        watch(page, `${name} tab`);
        await page.goto('/');
        await expect(page.getByTestId('my-user-id')).toHaveText(options.tabOf.id);
        return { ...options.tabOf, page };
      }
      const context = await browser.newContext(options.viewport ? { viewport: options.viewport } : {});
      contexts.push(context);
      const page = await context.newPage();
      watch(page, name);
      const id = uniqueId(name);
      await page.goto('/');
      await page.getByRole('textbox', { name: 'Display name' }).fill(name);
      await page.getByRole('textbox', { name: 'User id' }).fill(id);
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByTestId('my-user-id')).toHaveText(id);
      return { name, id, context, page };
    });

    for (const context of contexts) await context.close().catch(() => undefined);
  },
});

/** Opens a direct conversation from `from` with `to` through the New chat dialog. */
export async function startChat(from: ChatUser, to: ChatUser | ChatUser[]): Promise<string> {
  const members = Array.isArray(to) ? to : [to];
  const { page } = from;
  await page.getByRole('button', { name: 'New chat' }).click();
  const dialog = page.getByRole('dialog', { name: 'New conversation' });
  await dialog.getByRole('textbox', { name: /user ids/i }).fill(members.map((m) => m.id).join(', '));
  await dialog.getByRole('button', { name: /^Start (chat|group)/ }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('conversation-title')).toBeVisible();
  return new URL(page.url()).searchParams.get('c') ?? '';
}

export async function openChat(user: ChatUser, conversationId: string): Promise<void> {
  await user.page.locator(`[data-testid="conversation-row"][data-conversation-id="${conversationId}"]`).click();
  await expect(user.page.getByTestId('message-list')).toBeVisible();
}

export function composer(page: Page) {
  return page.getByRole('textbox', { name: /^Message / });
}

export async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** A confirmed (not pending) message bubble with exactly this text. */
export function messageBubble(page: Page, text: string) {
  return page.locator('[data-testid="message"]:not([data-pending])').filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) });
}

/** A typed API client for seeding, with the token the user's browser holds. */
export async function apiAs(user: ChatUser) {
  const token = await user.page.evaluate(() => window.localStorage.getItem('parley.token'));
  if (!token) throw new Error(`${user.name} has no token`);
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `http://127.0.0.1:${E2E_SERVER_PORT}/trpc`, transformer: superjson, headers: { authorization: `Bearer ${token}` } })],
  });
}

/** No token: what anyone can call (`auth.devLogin`). */
export function publicApi() {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `http://127.0.0.1:${E2E_SERVER_PORT}/trpc`, transformer: superjson })],
  });
}

/** The service's view (`admin.*`), to check what the server sees rather than what a page shows. */
export function adminApi() {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `http://127.0.0.1:${E2E_SERVER_PORT}/trpc`, transformer: superjson, headers: { authorization: `Bearer ${E2E_SERVICE_TOKEN}` } })],
  });
}
