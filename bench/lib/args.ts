import type { TargetName } from '../gen/protocols.ts';
import { SCENARIOS, type ScenarioName } from './plan.ts';

export interface Args {
  mode: 'quick' | 'full';
  scenarios: ScenarioName[] | null;
  targets: TargetName[] | null;
  repeats: number | null;
  parleyRedis: boolean;
  parleyStore: 'postgres' | 'pglite' | null;
  /** Every server runs with `node --cpu-prof`, profiles written to `<out>/profiles`. */
  profile: boolean;
  out: string | null;
  help: boolean;
}

const TARGET_NAMES: TargetName[] = ['raw-ws', 'socketio', 'parley'];

export const USAGE = `usage: tsx bench/run.ts [--quick | --full] [--scenario idle,fanout,slow,chat,cluster]
                        [--targets raw-ws,socketio,parley] [--repeats N] [--parley-redis] [--parley-store postgres|pglite]
                        [--profile] [--out DIR]
  --quick         fan-out N=1000 at 2 rates, idle 1000, small chat (Postgres) and cluster, slow consumers; 1 repeat (default)
  --full          fan-out N=1000/5000/10000 with a rate search, idle 20000, chat 1000 convs, cluster; 3 repeats
  --scenario      only these scenarios (comma-separated; also --scenarios)
  --targets       only these targets (comma-separated); chat runs only with parley
  --repeats       override the number of interleaved repeats
  --parley-redis  single-instance Parley uses a private Redis instead of REDIS_URL=memory://
  --parley-store  single-instance Parley's store: postgres (a fresh database of the local Postgres;
                  the default when it is reachable) or pglite (in memory, in the server process)
  --profile       every server runs with node --cpu-prof; profiles go to <out>/profiles
                  (summarise one with: tsx bench/profile.ts <file.cpuprofile>)
  --out           results folder (default bench/results/<date-time>)`;

function list<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] {
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`unknown ${what} '${item}' (one of ${allowed.join(', ')})`);
  if (items.length === 0) throw new Error(`--${what}: name at least one`);
  return items as T[];
}

export function parseArgs(argv: string[]): Args {
  const a: Args = { mode: 'quick', scenarios: null, targets: null, repeats: null, parleyRedis: false, parleyStore: null, profile: false, out: null, help: false };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--quick':
        a.mode = 'quick';
        break;
      case '--full':
        a.mode = 'full';
        break;
      case '--scenario':
      case '--scenarios':
        a.scenarios = list(value(), SCENARIOS, 'scenario');
        break;
      case '--targets':
      case '--target':
        a.targets = list(value(), TARGET_NAMES, 'target');
        break;
      case '--repeats': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1 || n > 10) throw new Error('--repeats: an integer from 1 to 10');
        a.repeats = n;
        break;
      }
      case '--parley-redis':
        a.parleyRedis = true;
        break;
      case '--parley-store': {
        const v = value();
        if (v !== 'postgres' && v !== 'pglite') throw new Error('--parley-store: postgres or pglite');
        a.parleyStore = v;
        break;
      }
      case '--profile':
        a.profile = true;
        break;
      case '--out':
        a.out = value() ?? null;
        break;
      case '--help':
      case '-h':
        a.help = true;
        break;
      case '--':
        break;
      default:
        throw new Error(`unknown argument '${argv[i]}'\n${USAGE}`);
    }
  }
  return a;
}
