import type { BatchResponse, MulticastMessage } from 'firebase-admin/messaging';
import type { Logger } from '@parley/api';
import type { Store } from '@parley/db';
import { NotifyError, type Notifier, type OfflineNotification } from './notifier.ts';

/** What the notifier uses of firebase-admin's `Messaging`. */
export interface PushTransport {
  sendEachForMulticast(message: MulticastMessage): Promise<BatchResponse>;
}

/** FCM says the token will never work again: the device is forgotten. */
const DEAD_TOKEN_CODES = new Set(['messaging/registration-token-not-registered', 'messaging/invalid-registration-token']);
/** FCM says try later. */
const TRANSIENT_CODES = new Set(['messaging/internal-error', 'messaging/server-unavailable', 'messaging/unavailable', 'messaging/message-rate-exceeded', 'messaging/quota-exceeded']);

/**
 * Push through Firebase Cloud Messaging to every device the recipient registered with
 * `devices.register`. Retried only when no device got it; tokens FCM reports dead are removed.
 */
export class FcmNotifier implements Notifier {
  readonly kind = 'fcm';
  readonly #store: Store;
  readonly #push: PushTransport;
  readonly #log: Logger;

  constructor(options: { store: Store; push: PushTransport; log: Logger }) {
    this.#store = options.store;
    this.#push = options.push;
    this.#log = options.log;
  }

  async send({ recipientId, message }: OfflineNotification): Promise<void> {
    const devices = await this.#store.devicesOf(recipientId);
    if (devices.length === 0) return;
    const tokens = devices.map((d) => d.token);
    const sender = await this.#store.getUser(message.senderId);
    let batch: BatchResponse;
    try {
      batch = await this.#push.sendEachForMulticast({
        tokens,
        notification: { title: sender?.displayName ?? 'New message', body: message.text.slice(0, 200) },
        data: { type: 'message', conversationId: message.conversationId, messageId: message.id, seq: String(message.seq) },
      });
    } catch (error) {
      throw new NotifyError(`FCM request failed: ${String(error)}`, { retryable: true, cause: error });
    }
    const dead: string[] = [];
    let transient = 0;
    batch.responses.forEach((response, i) => {
      const code = response.error?.code;
      if (!code) return;
      if (DEAD_TOKEN_CODES.has(code)) dead.push(tokens[i]!);
      else if (TRANSIENT_CODES.has(code)) transient += 1;
    });
    if (dead.length > 0) {
      await this.#store.removeDevices(dead);
      this.#log.info('removed device tokens FCM reported invalid', { userId: recipientId, tokens: dead.length });
    }
    // Sending again would repeat it on the devices that got it: a partial success is a success.
    if (batch.successCount > 0 || transient === 0) return;
    throw new NotifyError(`FCM: none of ${tokens.length} devices reached (${transient} transient failures)`, { retryable: true });
  }
}
