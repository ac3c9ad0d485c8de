import type { Logger } from '@parley/api';

type Level = 'info' | 'warn' | 'error' | 'silent';
const rank: Record<Level, number> = { info: 0, warn: 1, error: 2, silent: 3 };

/** One JSON line per entry on stderr, so stdout stays for `listening on <port>`. */
export function createLogger(options: { level?: Level; instanceId?: string } = {}): Logger {
  const min = rank[options.level ?? 'info'];
  const write = (level: Exclude<Level, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (rank[level] < min) return;
    process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level, instance: options.instanceId, msg, ...fields })}\n`);
  };
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}
