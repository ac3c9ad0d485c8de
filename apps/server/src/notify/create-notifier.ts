import { randomUUID } from 'node:crypto';
import { applicationDefault, deleteApp, initializeApp } from 'firebase-admin/app';
import { getMessaging } from 'firebase-admin/messaging';
import type { Logger } from '@parley/api';
import type { Store } from '@parley/db';
import { FcmNotifier } from './fcm-notifier.ts';
import type { Notifier } from './notifier.ts';
import { OutboxNotifier } from './outbox-notifier.ts';
import { WebhookNotifier } from './webhook-notifier.ts';

export type NotifierConfig =
  | { kind: 'outbox' }
  | { kind: 'webhook'; url: string; secret: string }
  | { kind: 'fcm'; projectId?: string };

export function createNotifier(config: NotifierConfig, deps: { store: Store; log: Logger }): Notifier {
  if (config.kind === 'webhook') return new WebhookNotifier({ url: config.url, secret: config.secret });
  if (config.kind === 'fcm') {
    const app = initializeApp({ credential: applicationDefault(), ...(config.projectId ? { projectId: config.projectId } : {}) }, `parley-fcm-${randomUUID()}`);
    const notifier = new FcmNotifier({ store: deps.store, push: getMessaging(app), log: deps.log });
    return Object.assign(notifier, { close: () => deleteApp(app) });
  }
  return new OutboxNotifier({ store: deps.store });
}
