import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';

export interface RedisServerHandle extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** Changes with every `restart`. */
  readonly pid: number;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash), then waits for the process to exit. */
  kill(): Promise<void>;
  /** Starts a new, empty server on the same port (stopping the running one first). */
  restart(): Promise<void>;
}

const binary = process.env.REDIS_SERVER_BIN ?? 'redis-server';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
    socket.on('timeout', () => done(false));
  });
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  await once(child, 'exit');
}

/**
 * Kills `pid` once this process is gone, however it went: an `exit` handler does not run when a
 * test worker is killed by a signal. It ends by itself when `pid` does.
 */
function watch(pid: number): void {
  const script = 'while kill -0 "$1" 2>/dev/null; do kill -0 "$0" 2>/dev/null || { kill -9 "$1"; exit; }; sleep 1; done';
  spawn('sh', ['-c', script, String(process.pid), String(pid)], { stdio: 'ignore', detached: true }).unref();
}

/**
 * A private redis-server on a free port, empty and without persistence, for one test file. It is
 * killed when this process exits or dies, so a failed or interrupted run leaves no server behind.
 */
export async function startRedisServer(): Promise<RedisServerHandle> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');

  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (!child) return;
    const proc = child;
    child = undefined;
    proc.kill(name);
    // A server stuck in shutdown must not hang the suite.
    const escalate = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited(proc);
    clearTimeout(escalate);
    process.off('exit', killOnExit);
  };

  const launch = async (): Promise<void> => {
    const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    process.on('exit', killOnExit);
    if (proc.pid !== undefined) watch(proc.pid);
    let stderr = '';
    proc.stderr?.on('data', (chunk) => (stderr += chunk.toString()));
    proc.on('error', (error) => (stderr += error.message));
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
        await signal('SIGKILL');
        throw new Error(`redis-server on port ${port} did not start: ${stderr.trim() || `exit ${proc.exitCode}`}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? -1;
    },
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    restart: async () => {
      await signal('SIGTERM');
      await launch();
    },
    [Symbol.asyncDispose]: () => signal('SIGTERM'),
  };
}
