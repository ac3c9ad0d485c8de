/**
 * Summarises a V8 `.cpuprofile` (from `pnpm bench -- --profile`): where the samples went, by
 * function (self time) and by package, optionally only within stacks through a given function
 * (`--focus publish`) or a time window (`--from 30 --to 60`, seconds since the profile started).
 *
 *   tsx bench/profile.ts <file.cpuprofile> [--focus NAME] [--from S] [--to S] [--top N]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Which package a frame belongs to, from its URL. */
function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const pnpm = url.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pnpm) return pnpm[1]!;
  const nm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (nm) return nm[1]!;
  const repo = url.match(/\/(apps\/[^/]+|packages\/[^/]+|bench)\//);
  return repo ? repo[1]! : url.replace(/^file:\/\//, '');
}

function label(frame: CallFrame): string {
  const file = frame.url.split('/').pop() ?? '';
  return `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
}

function main(): void {
  const argv = process.argv.slice(2);
  const file = argv.find((a) => !a.startsWith('--') && !/^\d/.test(a));
  const opt = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (!file) {
    process.stderr.write('usage: tsx bench/profile.ts <file.cpuprofile> [--focus NAME] [--from S] [--to S] [--top N]\n');
    process.exit(2);
  }
  const focus = opt('focus');
  const from = Number(opt('from') ?? 0) * 1e6;
  const to = Number(opt('to') ?? Infinity) * 1e6;
  const top = Number(opt('top') ?? 25);
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inFocus = new Map<number, boolean>();
  const focused = (id: number): boolean => {
    if (!focus) return true;
    const known = inFocus.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const up = parent.get(id);
    const v = node.callFrame.functionName.includes(focus) || (up !== undefined && focused(up));
    inFocus.set(id, v);
    return v;
  };

  const self = new Map<number, number>();
  let t = 0;
  let total = 0;
  let busy = 0;
  let inWindow = 0;
  for (let i = 0; i < p.samples.length; i += 1) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (t < from || t > to) continue;
    const id = p.samples[i]!;
    const name = byId.get(id)!.callFrame.functionName;
    inWindow += dt;
    if (name !== '(idle)') busy += dt;
    if (!focused(id)) continue;
    total += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') continue;
    byFn.set(label(f), (byFn.get(label(f)) ?? 0) + us);
    byPkg.set(packageOf(f), (byPkg.get(packageOf(f)) ?? 0) + us);
  }
  const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
  const pct = (us: number) => `${((100 * us) / Math.max(1, busy)).toFixed(1).padStart(5)}%`;
  const out: string[] = [];
  out.push(`${file}`);
  out.push(`window ${(inWindow / 1e6).toFixed(1)} s of ${((p.endTime - p.startTime) / 1e6).toFixed(1)} s, busy ${ms(busy)} ms${focus ? `, under '${focus}' ${ms(total)} ms` : ''} (percentages of busy time)`);
  out.push('', 'by package (self time):');
  for (const [k, v] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`${ms(v)} ms ${pct(v)}  ${k}`);
  out.push('', 'by function (self time):');
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`${ms(v)} ms ${pct(v)}  ${k}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
