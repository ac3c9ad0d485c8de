import { join } from 'node:path';
import type { Command } from '../gen/client.ts';
import { BENCH_DIR, spawnTs, stopChild, type Child } from './proc.ts';
import type { HistogramData } from './histogram.ts';

export interface SubStats {
  role: string;
  connections: number;
  open: number;
  closed: number;
  closeCodes: Record<string, number>;
  run: number;
  received: number;
  stale: number;
  reordered: number;
  firstAt: number;
  lastAt: number;
  hist: HistogramData;
}
export interface ConnectResult {
  connected: number;
  failed: number;
  errors: Record<string, number>;
  ms: number;
}
export interface SendResult {
  planned: number;
  sent: number;
  acked: number;
  failed: number;
  skipped: number;
  unanswered: number;
  sendMs: number;
  ack: HistogramData;
  errors: Record<string, number>;
}

type Reply = { id: number; ok: boolean; result?: unknown; error?: string };

/** One load-generator process (`gen/client.ts`), driven by request/reply over IPC. */
export class Gen {
  private nextId = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private ready: Promise<void>;
  readonly child: Child;

  constructor(readonly name: string) {
    this.child = spawnTs({ name, script: join(BENCH_DIR, 'gen/client.ts'), ipc: true, nodeArgs: ['--max-old-space-size=4096'] });
    let markReady!: () => void;
    this.ready = new Promise((resolve) => (markReady = resolve));
    this.child.proc.on('message', (m: Reply) => {
      if (m.id === 0) {
        markReady();
        return;
      }
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(`${name}: ${m.error}`));
    });
    void this.child.exited.then((code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`${name} exited (${code}): ${this.child.tail()}`));
      this.waiting.clear();
    });
  }

  get pid(): number {
    return this.child.pid;
  }

  async request<T>(cmd: Command, timeoutMs = 120_000): Promise<T> {
    await Promise.race([
      this.ready,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${this.name} did not start: ${this.child.tail()}`)), 30_000)),
    ]);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: ${cmd.cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.proc.send({ id, ...cmd });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === undefined) await this.request({ cmd: 'exit' }, 3000).catch(() => {});
    await stopChild(this.child, 2000);
  }
}

/**
 * Generator processes are reused across scenarios (a fresh Node + tsx process costs ~0.5 s): a
 * released one closes its connections and waits for the next use.
 */
export class GenPool {
  private idle: Gen[] = [];
  private all = new Set<Gen>();
  private count = 0;

  private spawn(): Gen {
    this.count += 1;
    const g = new Gen(`gen-${this.count}`);
    this.all.add(g);
    return g;
  }

  /** Starts processes ahead of time, while nothing is being measured. */
  prewarm(n: number): void {
    while (this.idle.length < n) this.idle.push(this.spawn());
  }

  take(): Gen {
    return this.idle.pop() ?? this.spawn();
  }

  async release(g: Gen): Promise<void> {
    try {
      await g.request({ cmd: 'closeAll' }, 10_000);
      this.idle.push(g);
    } catch {
      this.all.delete(g);
      await g.stop();
    }
  }

  async stopAll(): Promise<void> {
    const list = [...this.all];
    this.all.clear();
    this.idle = [];
    await Promise.all(list.map((g) => g.stop()));
  }
}
