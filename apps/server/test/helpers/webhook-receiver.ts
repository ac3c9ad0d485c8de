import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { type: string; recipientId: string; conversationId: string; message: Record<string, unknown> };
  at: number;
}

/** What to answer the n-th request (0-based): a status, or `hang` to never answer. */
export type Responder = (hook: ReceivedHook, n: number) => number | 'hang';

export interface WebhookReceiver extends AsyncDisposable {
  url: string;
  received: ReceivedHook[];
  respond: Responder;
  close(): Promise<void>;
}

/** A local HTTP endpoint that records every POST, for the webhook notifier's tests. */
export async function startWebhookReceiver(respond: Responder = () => 200): Promise<WebhookReceiver> {
  const hanging = new Set<ServerResponse>();
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    respond,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
    [Symbol.asyncDispose]: () => receiver.close(),
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const hook: ReceivedHook = { headers: req.headers, raw, body: JSON.parse(raw) as ReceivedHook['body'], at: Date.now() };
      const n = receiver.received.length;
      receiver.received.push(hook);
      const answer = receiver.respond(hook, n);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end(String(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/parley`;
  return receiver;
}
