import type WebSocket from 'ws';

export interface KeepAliveOptions {
  /** Silence after which the server sends the text `PING` (tRPC's keep-alive, answered `PONG` by wsLink). */
  pingMs: number;
  /** Time to wait after a `PING` for any message before the socket is terminated. */
  pongWaitMs: number;
}

interface Beat {
  /** Last message received (ms). */
  heardAt: number;
  /** When the unanswered `PING` went out, 0 when none is outstanding. */
  pingedAt: number;
}

/**
 * tRPC's WebSocket keep-alive protocol (text `PING`, any message as the answer) for every socket of
 * the server with one timer, instead of tRPC's two timers and four closures per socket, re-armed on
 * every message. Listeners are shared functions (`this` is the socket), so a socket costs one small
 * record. A ping may go out up to one tick late, and a dead socket is dropped within `pongWaitMs` plus
 * one tick.
 */
export class KeepAlive {
  readonly #pingMs: number;
  readonly #pongWaitMs: number;
  readonly #beats = new Map<WebSocket, Beat>();
  readonly #timer: NodeJS.Timeout;
  /** Shared listeners: `ws` calls them with the socket as `this`. */
  readonly #heard: (this: WebSocket) => void;
  readonly #closed: (this: WebSocket) => void;

  constructor(options: KeepAliveOptions) {
    const beats = this.#beats;
    this.#heard = function heard(this: WebSocket) {
      const beat = beats.get(this);
      if (!beat) return;
      beat.heardAt = Date.now();
      beat.pingedAt = 0;
    };
    this.#closed = function closed(this: WebSocket) {
      beats.delete(this);
    };
    this.#pingMs = options.pingMs;
    this.#pongWaitMs = options.pongWaitMs;
    const tickMs = Math.max(25, Math.min(1000, Math.floor(Math.min(options.pingMs, options.pongWaitMs) / 4)));
    this.#timer = setInterval(() => this.#tick(), tickMs);
    this.#timer.unref();
  }

  add(ws: WebSocket): void {
    this.#beats.set(ws, { heardAt: Date.now(), pingedAt: 0 });
    ws.on('message', this.#heard);
    ws.on('close', this.#closed);
  }

  get size(): number {
    return this.#beats.size;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#beats.clear();
  }

  #tick(): void {
    const now = Date.now();
    for (const [ws, beat] of this.#beats) {
      if (beat.pingedAt) {
        if (now - beat.pingedAt >= this.#pongWaitMs) {
          this.#beats.delete(ws);
          ws.terminate();
        }
      } else if (now - beat.heardAt >= this.#pingMs && ws.readyState === ws.OPEN) {
        beat.pingedAt = now;
        ws.send('PING');
      }
    }
  }
}
