import type { WebSocketRoute } from '@playwright/test';
import { E2E_SERVICE_TOKEN, E2E_SESSION_IDLE_TIMEOUT_MS } from '../playwright.config';
import { adminApi, apiAs, composer, expect, messageBubble, openChat, publicApi, send, startChat, test, uniqueId } from './fixtures';

test('two users exchange messages; ticks go delivered then read; unread counts', async ({ signIn }) => {
  const alice = await signIn('Alice');
  const bob = await signIn('Bob');

  const conversationId = await startChat(alice, bob);
  // People are shown by display name (`users.profiles`), not by id.
  await expect(alice.page.getByTestId('conversation-title')).toHaveText('Bob');
  await send(alice.page, 'Hello Bob');
  const sent = messageBubble(alice.page, 'Hello Bob');
  await expect(sent).toHaveCount(1);

  // Bob has the list open, not the conversation: the message is delivered (his client said so) but unread.
  const row = bob.page.locator(`[data-testid="conversation-row"][data-conversation-id="${conversationId}"]`);
  await expect(row.getByTestId('conversation-preview')).toHaveText('Hello Bob');
  await expect(row).toContainText('Alice');
  await expect(row.getByTestId('unread-count')).toContainText('1');
  await expect(sent.getByTestId('tick')).toHaveAttribute('data-tick', 'delivered');

  await openChat(bob, conversationId);
  await expect(messageBubble(bob.page, 'Hello Bob')).toHaveCount(1);
  await expect(sent.getByTestId('tick')).toHaveAttribute('data-tick', 'read');
  await expect(row.getByTestId('unread-count')).toHaveCount(0);

  // Shift+Enter is a new line, Enter sends.
  await composer(bob.page).fill('Hi Alice');
  await composer(bob.page).press('Shift+Enter');
  await composer(bob.page).pressSequentially('second line');
  await composer(bob.page).press('Enter');
  await expect(composer(bob.page)).toHaveValue('');
  await expect(messageBubble(alice.page, 'Hi Alice\nsecond line')).toHaveCount(1);
  await expect(messageBubble(bob.page, 'Hi Alice\nsecond line').getByTestId('tick')).toHaveAttribute('data-tick', 'read');

  // A reload restores the ticks of older messages and never shows a message twice.
  await alice.page.reload();
  await expect(messageBubble(alice.page, 'Hello Bob').getByTestId('tick')).toHaveAttribute('data-tick', 'read');
  await expect(alice.page.getByTestId('message')).toHaveCount(2);
});

test('typing indicator shows while typing and clears on send and on blur', async ({ signIn }) => {
  const alice = await signIn('Alice');
  const bob = await signIn('Bob');
  const conversationId = await startChat(alice, bob);
  await send(alice.page, 'Are you there?');
  await openChat(bob, conversationId);

  await composer(bob.page).pressSequentially('Yes, wri');
  await expect(alice.page.getByTestId('typing-indicator')).toHaveText('Bob is typing…');
  await composer(bob.page).pressSequentially('ting back');
  await composer(bob.page).press('Enter');
  await expect(alice.page.getByTestId('typing-indicator')).toHaveCount(0);
  await expect(messageBubble(alice.page, 'Yes, writing back')).toHaveCount(1);

  await composer(bob.page).pressSequentially('One more');
  await expect(alice.page.getByTestId('typing-indicator')).toBeVisible();
  await bob.page.getByLabel('Search conversations').focus();
  await expect(alice.page.getByTestId('typing-indicator')).toHaveCount(0);
});

test('presence: status changes reach contacts and other tabs; closing a browser turns its user offline', async ({ signIn }) => {
  const alice = await signIn('Alice');
  const bob = await signIn('Bob');
  await startChat(alice, bob);
  const peer = alice.page.getByTestId('peer-status');
  await expect(peer).toHaveAttribute('data-status', 'online');

  const bobTab = await signIn('Bob', { tabOf: bob });
  await bob.page.getByRole('button', { name: /Change status/ }).click();
  const dialog = bob.page.getByRole('dialog', { name: 'Set your status' });
  await dialog.getByText('Busy', { exact: true }).click();
  await dialog.getByLabel('Status message').fill('In a meeting');
  await dialog.getByRole('button', { name: 'Save status' }).click();
  await expect(dialog).toBeHidden();

  await expect(peer).toHaveAttribute('data-status', 'busy');
  await expect(peer).toHaveText('Busy · In a meeting');
  await expect(bobTab.page.getByTestId('my-status')).toHaveText('Busy · In a meeting');

  await bob.context.close();
  // The server may hold a user online for a short reconnect grace (up to 5 s).
  await expect(peer).toHaveAttribute('data-status', 'offline', { timeout: 15_000 });
});

test('a dropped connection reconnects and catches up, each message once', async ({ signIn, allowConsoleErrors }) => {
  // While offline, Chromium logs each refused reconnect attempt.
  allowConsoleErrors(/WebSocket connection to .* failed/);
  const alice = await signIn('Alice');
  const bob = await signIn('Bob');
  const conversationId = await startChat(alice, bob);
  await send(alice.page, 'Before the drop');
  await openChat(bob, conversationId);
  await expect(messageBubble(bob.page, 'Before the drop')).toHaveCount(1);

  await bob.context.setOffline(true);
  await expect(bob.page.locator('[data-connection="offline"]')).toBeAttached();
  // The socket is really gone, so what follows can only reach Bob by resuming the streams.
  const admin = adminApi();
  await expect.poll(async () => (await admin.admin.userStatus.query({ userId: bob.id })).isConnected).toBe(false);

  await send(alice.page, 'Sent while you were away 1');
  await send(alice.page, 'Sent while you were away 2');
  // Bob writes while offline: it waits, then goes out once.
  await send(bob.page, 'Written offline');
  await expect(bob.page.locator('[data-testid="message"][data-pending]')).toHaveCount(1);

  await bob.context.setOffline(false);
  await expect(bob.page.locator('[data-connection="online"]')).toBeAttached({ timeout: 15_000 });
  await expect(messageBubble(bob.page, 'Sent while you were away 1')).toHaveCount(1);
  await expect(messageBubble(bob.page, 'Sent while you were away 2')).toHaveCount(1);
  await expect(messageBubble(alice.page, 'Written offline')).toHaveCount(1);
  await expect(bob.page.locator('[data-testid="message"][data-pending]')).toHaveCount(0);
  await expect(messageBubble(bob.page, 'Written offline')).toHaveCount(1);
  await expect(bob.page.getByTestId('message')).toHaveCount(4);
  // Bob is looking at the conversation, so what he caught up on is read.
  await expect(messageBubble(alice.page, 'Sent while you were away 2').getByTestId('tick')).toHaveAttribute('data-tick', 'read');
});

test('a socket dropped under a page that thinks it is online reconnects by itself and catches up', async ({ signIn }) => {
  // The page's socket goes through Playwright, which cuts it (as a proxy or a restarting server
  // would) with the browser still online, then holds the next one open to nowhere for a while: only
  // wsClient's reconnect and the streams' last event ids can bring Bob up to date.
  const alice = await signIn('Alice');
  const bob = await signIn('Bob');
  const conversationId = await startChat(alice, bob);
  await send(alice.page, 'Before the cut');

  let holding = false;
  const live: Array<{ page: WebSocketRoute; server: WebSocketRoute }> = [];
  const held: WebSocketRoute[] = [];
  await bob.context.routeWebSocket(/\/trpc/, (page) => {
    // Not connected to the server: Playwright opens it in the page, and what the page sends is dropped.
    if (holding) held.push(page);
    else live.push({ page, server: page.connectToServer() });
  });
  await bob.page.reload();
  await openChat(bob, conversationId);
  await expect(messageBubble(bob.page, 'Before the cut')).toHaveCount(1);

  holding = true;
  for (const { page, server } of live.splice(0)) {
    await server.close();
    await page.close({ code: 1012, reason: 'service restart' });
  }
  const admin = adminApi();
  await expect.poll(async () => (await admin.admin.userStatus.query({ userId: bob.id })).isConnected).toBe(false);
  await expect.poll(() => held.length).toBeGreaterThan(0);
  await send(alice.page, 'Sent during the cut 1');
  await send(alice.page, 'Sent during the cut 2');
  await expect(messageBubble(alice.page, 'Sent during the cut 2')).toHaveCount(1);
  await expect(messageBubble(bob.page, 'Sent during the cut 1')).toHaveCount(0);

  holding = false;
  for (const page of held.splice(0)) await page.close({ code: 1012, reason: 'service restart' });
  await expect.poll(async () => (await admin.admin.userStatus.query({ userId: bob.id })).isConnected).toBe(true);
  await expect(bob.page.locator('[data-connection="online"]')).toBeAttached();
  await expect(messageBubble(bob.page, 'Sent during the cut 1')).toHaveCount(1);
  await expect(messageBubble(bob.page, 'Sent during the cut 2')).toHaveCount(1);
  await expect(bob.page.getByTestId('message')).toHaveCount(3);
  await expect(messageBubble(alice.page, 'Sent during the cut 2').getByTestId('tick')).toHaveAttribute('data-tick', 'read');
});

test('scrolling back pages through older history', async ({ signIn }) => {
  const alice = await signIn('Alice');
  const bob = await signIn('Bob');
  const conversationId = await startChat(alice, bob);
  const api = await apiAs(alice);
  for (let i = 1; i <= 70; i += 1) {
    await api.chat.send.mutate({ conversationId, clientMessageId: `seed-${i}`, text: `History ${i}` });
  }
  // A fresh page holds none of it: what it shows comes from `conversations.history` pages.
  await bob.page.reload();
  await openChat(bob, conversationId);
  await expect(messageBubble(bob.page, 'History 70')).toBeVisible();
  await expect(messageBubble(bob.page, 'History 1')).toHaveCount(0);

  const list = bob.page.getByTestId('message-list');
  for (let i = 0; i < 5 && (await messageBubble(bob.page, 'History 1').count()) === 0; i += 1) {
    await list.evaluate((el) => el.scrollTo({ top: 0 }));
    await bob.page.waitForTimeout(300);
  }
  await expect(messageBubble(bob.page, 'History 1')).toHaveCount(1);
  await expect(bob.page.getByText('This is the beginning of the conversation.')).toBeVisible();
  await expect(bob.page.getByTestId('message')).toHaveCount(70);
});

test('a pasted token signs in; one the server refuses comes back to sign-in with a notice', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Paste a token' }).click();
  await page.getByRole('textbox', { name: 'Access token' }).fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Sign in again' })).toBeVisible();
  expect(await page.evaluate(() => window.localStorage.getItem('parley.token'))).toBeNull();

  // A token from elsewhere (here the dev issuer; in jwt or firebase mode, the identity provider).
  const { token, user } = await publicApi().auth.devLogin.mutate({ displayName: 'Tess', userId: uniqueId('tess') });
  await page.getByRole('tab', { name: 'Paste a token' }).click();
  await page.getByRole('textbox', { name: 'Access token' }).fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('my-user-id')).toHaveText(user.id);
  await expect(page.getByTestId('my-name')).toHaveText('Tess');
});

test('signing out ends the session in every tab', async ({ signIn }) => {
  const alice = await signIn('Alice');
  const second = await signIn('Alice', { tabOf: alice });
  await alice.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(alice.page.getByRole('heading', { name: 'Sign in to Parley' })).toBeVisible();
  // Signing out on purpose is no news: no "session ended" notice on the tab that did it.
  await expect(alice.page.getByText(/session/i)).toHaveCount(0);
  await expect(second.page.getByRole('heading', { name: 'Sign in to Parley' })).toBeVisible();
});

test('a session ended elsewhere (socket closed with 4401) signs the page out with a notice', async ({ signIn }) => {
  const alice = await signIn('Alice');
  // The same session logged out from another client, e.g. a script holding the token.
  await (await apiAs(alice)).auth.logout.mutate({});
  await expect(alice.page.getByRole('heading', { name: 'Sign in to Parley' })).toBeVisible();
  await expect(alice.page.getByRole('alert').filter({ hasText: 'Your session has ended' })).toBeVisible();
  expect(await alice.page.evaluate(() => window.localStorage.getItem('parley.token'))).toBeNull();
});

test('an idle session is ended by the server: the page signs out with the server\'s message', async ({ signIn }) => {
  const alice = await signIn('Alice');
  // From the reload on, this page's sockets swallow the PONGs wsClient answers the server's keep-alive
  // pings with, and the page makes no calls: its session goes idle, the server's sweep sends
  // `session.timeout`, then closes the socket with 4401.
  await alice.context.addInitScript(() => {
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
      if (data !== 'PONG') send.call(this, data);
    };
  });
  await alice.page.reload();
  await expect(alice.page.getByTestId('my-user-id')).toHaveText(alice.id);

  const signedOut = alice.page.getByRole('heading', { name: 'Sign in to Parley' });
  await expect(signedOut).toBeVisible({ timeout: E2E_SESSION_IDLE_TIMEOUT_MS + 15_000 });
  await expect(alice.page.getByRole('alert').filter({ hasText: /expired due to inactivity/ })).toBeVisible();
  expect(await alice.page.evaluate(() => window.localStorage.getItem('parley.token'))).toBeNull();
});

test('a group conversation shows members and who wrote what', async ({ signIn }) => {
  const alice = await signIn('Alice');
  const bob = await signIn('Bob');
  const carol = await signIn('Carol');
  const conversationId = await startChat(alice, [bob, carol]);
  await send(alice.page, 'Hello both');
  await openChat(carol, conversationId);
  await send(carol.page, 'Hi all');
  await expect(messageBubble(alice.page, 'Hi all')).toHaveCount(1);
  await expect(messageBubble(alice.page, 'Hi all').getByTestId('message-sender')).toHaveText('Carol');
  await expect(alice.page.getByTestId('conversation-title')).toHaveText('Bob, Carol');
  await expect(alice.page.getByTestId('conversation-subtitle')).toContainText('3 members');
  // Read only when every other member has read it.
  await expect(messageBubble(alice.page, 'Hello both').getByTestId('tick')).not.toHaveAttribute('data-tick', 'read');
  await openChat(bob, conversationId);
  await expect(messageBubble(alice.page, 'Hello both').getByTestId('tick')).toHaveAttribute('data-tick', 'read');
});

test('admin page shows live stats with the service token', async ({ signIn, page }) => {
  const alice = await signIn('Alice');
  await page.goto('/admin');
  await page.getByLabel('Token').fill(E2E_SERVICE_TOKEN);
  await page.getByRole('button', { name: 'Show stats' }).click();
  await expect(page.getByTestId('stat-instances')).toHaveText('1');
  await expect(page.getByTestId('connected-users')).toContainText(alice.id);
  const users = Number(await page.getByTestId('stat-users').textContent());
  expect(users).toBeGreaterThan(0);
});
