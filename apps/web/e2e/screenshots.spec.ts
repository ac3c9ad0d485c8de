import path from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { E2E_SERVICE_TOKEN } from '../playwright.config';
import { apiAs, composer, expect, openChat, test, watchConsole, type ChatUser } from './fixtures';

// Four users, a seeded history and a screenshot per view: longer than one chat test.
test.describe.configure({ timeout: 90_000 });

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

/**
 * A test artifact (under test-results/, attached to the HTML report). `E2E_UPDATE_SCREENSHOTS=1`
 * writes it to e2e/screenshots/ instead, the committed pictures the README shows: a plain run leaves
 * the checkout unchanged.
 */
async function shot(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const file = process.env.E2E_UPDATE_SCREENSHOTS
    ? path.join(import.meta.dirname, 'screenshots', `${name}.png`)
    : testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** A conversation with some back and forth, read by both, and a group with unread messages. */
async function seed(alice: ChatUser, bob: ChatUser, carol: ChatUser, dave: ChatUser) {
  const [a, b, c] = await Promise.all([apiAs(alice), apiAs(bob), apiAs(carol)]);
  const direct = await a.conversations.create.mutate({ memberIds: [bob.id] });
  const lines: Array<[typeof a, string]> = [
    [b, 'Morning! Did the deploy go out last night?'],
    [a, 'It did. No alerts so far.'],
    [a, 'The new presence service is holding up well under load too.'],
    [b, 'Great. Can you share the dashboard link?\nI want to show it in the standup.'],
    [a, 'Sure, sending it over after lunch.'],
  ];
  let n = 0;
  for (const [api, text] of lines) {
    n += 1;
    await api.chat.send.mutate({ conversationId: direct.id, clientMessageId: `shot-${n}`, text });
  }
  await b.chat.markRead.mutate({ conversationId: direct.id, seq: 100 });
  await a.chat.markRead.mutate({ conversationId: direct.id, seq: 100 });

  const group = await c.conversations.create.mutate({ memberIds: [alice.id, dave.id], title: 'Launch crew' });
  await c.chat.send.mutate({ conversationId: group.id, clientMessageId: 'g-1', text: 'Launch checklist is in the doc' });
  await c.chat.send.mutate({ conversationId: group.id, clientMessageId: 'g-2', text: 'Please review before Friday' });
  await b.chat.setStatus.mutate({ status: 'online', text: 'Working from Lisbon' });
  return { direct: direct.id, group: group.id };
}

test('screenshots: desktop', async ({ signIn, browser, consoleGuard }, testInfo) => {
  const signInPage = await browser.newPage({ viewport: desktop });
  watchConsole(signInPage, 'sign-in', consoleGuard);
  await signInPage.goto('/');
  await expect(signInPage.getByRole('heading', { name: 'Sign in to Parley' })).toBeVisible();
  await shot(signInPage, 'desktop-sign-in', testInfo);
  await signInPage.close();

  const alice = await signIn('Alice', { viewport: desktop });
  const bob = await signIn('Bob', { viewport: desktop });
  const carol = await signIn('Carol', { viewport: desktop });
  const dave = await signIn('Dave', { viewport: desktop });
  const { direct, group } = await seed(alice, bob, carol, dave);

  await alice.page.reload();
  await expect(alice.page.getByTestId('conversation-row')).toHaveCount(2);
  await openChat(alice, direct);
  await expect(alice.page.getByTestId('tick').last()).toHaveAttribute('data-tick', 'read');
  // Bob starts typing, so the header and the bubble show it.
  await openChat(bob, direct);
  await composer(bob.page).pressSequentially('On it');
  await expect(alice.page.getByTestId('typing-indicator')).toBeVisible();
  await shot(alice.page, 'desktop-conversation', testInfo);

  await openChat(alice, group);
  await composer(alice.page).fill('Reviewed, two small comments in the doc.');
  await composer(alice.page).press('Enter');
  await expect(alice.page.locator('[data-testid="message"]:not([data-pending])')).toHaveCount(3);
  await shot(alice.page, 'desktop-group', testInfo);

  await alice.page.getByRole('button', { name: 'New chat' }).click();
  await expect(alice.page.getByRole('dialog', { name: 'New conversation' })).toBeVisible();
  await shot(alice.page, 'desktop-new-conversation', testInfo);
  await alice.page.keyboard.press('Escape');

  await alice.page.getByRole('button', { name: /Change status/ }).click();
  await expect(alice.page.getByRole('dialog', { name: 'Set your status' })).toBeVisible();
  await shot(alice.page, 'desktop-status', testInfo);
  await alice.page.keyboard.press('Escape');

  const admin = await browser.newPage({ viewport: desktop });
  watchConsole(admin, 'admin', consoleGuard);
  await admin.goto('/admin');
  await admin.getByLabel('Token').fill(E2E_SERVICE_TOKEN);
  await admin.getByRole('button', { name: 'Show stats' }).click();
  await expect(admin.getByTestId('connected-users')).toContainText(alice.id);
  await shot(admin, 'desktop-admin', testInfo);
  await admin.close();
});

test('screenshots: phone', async ({ signIn, browser, consoleGuard }, testInfo) => {
  const signInPage = await browser.newPage({ viewport: phone });
  watchConsole(signInPage, 'sign-in', consoleGuard);
  await signInPage.goto('/');
  await expect(signInPage.getByRole('heading', { name: 'Sign in to Parley' })).toBeVisible();
  await shot(signInPage, 'phone-sign-in', testInfo);
  await signInPage.close();

  const alice = await signIn('Alice', { viewport: phone });
  const bob = await signIn('Bob', { viewport: phone });
  const carol = await signIn('Carol', { viewport: phone });
  const dave = await signIn('Dave', { viewport: phone });
  const { direct } = await seed(alice, bob, carol, dave);

  await alice.page.reload();
  await expect(alice.page.getByTestId('conversation-row')).toHaveCount(2);
  await shot(alice.page, 'phone-list', testInfo);

  await openChat(alice, direct);
  await expect(alice.page.getByTestId('tick').last()).toHaveAttribute('data-tick', 'read');
  // The list is gone on a phone; back returns to it.
  await expect(alice.page.getByRole('navigation', { name: 'Conversation list' })).toBeHidden();
  await shot(alice.page, 'phone-conversation', testInfo);
  await alice.page.getByRole('button', { name: 'Back to conversations' }).click();
  await expect(alice.page.getByRole('navigation', { name: 'Conversation list' })).toBeVisible();
});
