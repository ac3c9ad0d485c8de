import type { Logger, MessageJobs } from '@parley/api';
import type { Message } from '@parley/db';
import type { JobQueues } from './queues.ts';

const LOG_EVERY_MS = 30_000;

/** `chat.send`'s side of the notify queue: enqueues without holding the send, logs failures sparingly. */
export class QueuedMessageJobs implements MessageJobs {
  readonly #queues: JobQueues;
  readonly #log: Logger;
  #lastLogged = 0;
  #lost = 0;

  constructor(options: { queues: JobQueues; log: Logger }) {
    this.#queues = options.queues;
    this.#log = options.log;
  }

  messageStored(message: Message): void {
    this.#queues.enqueueNotify({ messageId: message.id, conversationId: message.conversationId, seq: message.seq }).catch((error: unknown) => {
      // While Redis is down every send fails here: one line per 30 s, with the count.
      this.#lost += 1;
      const now = Date.now();
      if (now - this.#lastLogged < LOG_EVERY_MS) return;
      this.#log.warn('offline-notification jobs not enqueued', { messages: this.#lost, error: String(error) });
      this.#lastLogged = now;
      this.#lost = 0;
    });
  }
}
