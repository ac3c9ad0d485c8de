import { createHmac } from 'node:crypto';
import { NotifyError, type Notifier, type OfflineNotification } from './notifier.ts';

/** Connection errors that happen before any byte reaches the receiver: safe to retry. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export interface WebhookOptions {
  url: string;
  /** HMAC-SHA256 key of `X-Parley-Signature`. */
  secret: string;
  /** @default 10000 */
  timeoutMs?: number;
}

/** `X-Parley-Signature: sha256=<hex>` of the raw body, as receivers recompute it. */
export function signWebhookBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * One signed POST per (message, recipient), body `{ type: 'message', recipientId, conversationId,
 * message }` (dates as ISO strings). 2xx is success; 408, 429 and 5xx are retried; any other answer
 * is final. `X-Parley-Delivery` names the notification, so a receiver can also drop repeats itself.
 */
export class WebhookNotifier implements Notifier {
  readonly kind = 'webhook';
  readonly #options: Required<WebhookOptions>;

  constructor(options: WebhookOptions) {
    this.#options = { timeoutMs: 10_000, ...options };
  }

  async send({ recipientId, message }: OfflineNotification): Promise<void> {
    const body = JSON.stringify({ type: 'message', recipientId, conversationId: message.conversationId, message });
    let response: Response;
    try {
      response = await fetch(this.#options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'parley-webhook/1',
          'x-parley-signature': signWebhookBody(body, this.#options.secret),
          'x-parley-delivery': `${message.id}:${recipientId}`,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      const notSent = code !== undefined && NOT_SENT_CODES.has(code);
      // A timeout or a reset after sending: the receiver may have acted on it, so it is not sent again.
      throw new NotifyError(`webhook POST failed: ${code ?? (error as Error).name}`, { retryable: notSent, cause: error });
    }
    await response.body?.cancel();
    if (response.ok) return;
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    throw new NotifyError(`webhook answered ${response.status}`, { retryable });
  }
}
