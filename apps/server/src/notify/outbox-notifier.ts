import type { Message, Store } from '@parley/db';
import { NotifyError, type Notifier, type OfflineNotification } from './notifier.ts';

/** The dev default: notifications are stored, and each user lists theirs with `notifications.list`. */
export class OutboxNotifier implements Notifier {
  readonly kind = 'outbox';
  readonly #store: Store;

  constructor(options: { store: Store }) {
    this.#store = options.store;
  }

  async send(notification: OfflineNotification): Promise<void> {
    try {
      await this.#store.addNotification(notification);
    } catch (error) {
      // A failed write stored nothing, and a repeat of the same (message, recipient) stores nothing twice.
      throw new NotifyError(`outbox write failed: ${String(error)}`, { retryable: true, cause: error });
    }
  }

  async sendMany(message: Message, recipientIds: string[]): Promise<void> {
    try {
      await this.#store.addNotifications({ message, recipientIds });
    } catch (error) {
      // One statement: it stored all of them or none (on Postgres); repeats store nothing twice anyway.
      throw new NotifyError(`outbox write failed: ${String(error)}`, { retryable: true, cause: error });
    }
  }
}
