import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { KeepAlive } from './keep-alive.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeepAlive (one timer for every socket)', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(options: { pingMs: number; pongWaitMs: number }) {
    const keepAlive = new KeepAlive(options);
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    wss.on('connection', (ws) => keepAlive.add(ws));
    cleanup.push(() => new Promise((resolve) => wss.close(resolve)), () => keepAlive.close());
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    const client = async (answer: boolean) => {
      const ws = new WebSocket(url);
      const pings: number[] = [];
      ws.on('message', (data) => {
        if (data.toString() !== 'PING') return;
        pings.push(Date.now());
        if (answer) ws.send('PONG');
      });
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      await once(ws, 'open');
      cleanup.push(() => ws.terminate());
      return { ws, pings, closed };
    };
    return { keepAlive, client };
  }

  it('pings quiet sockets, keeps the ones that answer and terminates the ones that do not', async () => {
    const { keepAlive, client } = await setup({ pingMs: 150, pongWaitMs: 200 });
    const answering = await client(true);
    const silent = await client(false);
    const started = Date.now();
    expect(await silent.closed).toBe(1006);
    const lifetime = Date.now() - started;
    // Ping after 150 ms of silence, then 200 ms of waiting, each up to a tick (37 ms) late.
    expect(lifetime).toBeGreaterThanOrEqual(340);
    expect(lifetime).toBeLessThan(1500);
    expect(silent.pings).toHaveLength(1);
    await sleep(600);
    expect(answering.ws.readyState).toBe(WebSocket.OPEN);
    expect(answering.pings.length).toBeGreaterThanOrEqual(3);
    await sleep(100);
    expect(keepAlive.size).toBe(1);
  });

  it('does not ping a socket whose traffic shows it is alive', async () => {
    const { client } = await setup({ pingMs: 200, pongWaitMs: 100 });
    const busy = await client(false);
    const until = Date.now() + 700;
    while (Date.now() < until) {
      busy.ws.send('hello');
      await sleep(50);
    }
    expect(busy.pings).toHaveLength(0);
    expect(busy.ws.readyState).toBe(WebSocket.OPEN);
  });
});
