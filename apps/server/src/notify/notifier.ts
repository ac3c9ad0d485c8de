import type { Message } from '@parley/db';

/** One offline notification: `message` for `recipientId`, who had no live connection. */
export interface OfflineNotification {
  recipientId: string;
  message: Message;
}

/** Where offline notifications go: `outbox` (stored), `webhook` (signed POST) or `fcm` (push). */
export interface Notifier {
  readonly kind: 'outbox' | 'webhook' | 'fcm';
  /**
   * Sends one notification. Throws `NotifyError`: `retryable` when nothing went out and a later
   * attempt may succeed; otherwise the failure is final (or it is unknown whether it went out).
   */
  send(notification: OfflineNotification): Promise<void>;
  /**
   * Sends the notifications of one message to many recipients at once, all or none (a notifier
   * that can batch, like the outbox). Throws `NotifyError` as `send` does, for the whole batch.
   */
  sendMany?(message: Message, recipientIds: string[]): Promise<void>;
  close?(): Promise<void>;
}

export class NotifyError extends Error {
  override readonly name = 'NotifyError';
  /** True only when the notification certainly did not go out, so sending again cannot duplicate it. */
  readonly retryable: boolean;

  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
  }
}
