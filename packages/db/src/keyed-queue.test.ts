import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './keyed-queue.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('KeyedQueue', () => {
  it('runs one key one task at a time, in order, and other keys alongside', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const task = (name: string, fail = false) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([queue.run('a', task('a1')), queue.run('a', task('a2', true)), queue.run('a', task('a3')), queue.run('b', task('b1'))]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a1', 'a2', 'a3', 'b1']);
    // b1 ran while a1 did; a failure does not stop the key's later tasks.
    expect(log.slice(0, 2)).toEqual(['start a1', 'start b1']);
    const a = log.filter((l) => l.endsWith('a1') || l.endsWith('a2') || l.endsWith('a3'));
    expect(a).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
  });

  it('starts the next task before the previous caller resumes', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const first = queue.run('k', async () => {
      await tick();
      return 1;
    });
    void queue.run('k', async () => {
      log.push('second started');
    });
    await first;
    log.push('first caller resumed');
    expect(log).toEqual(['second started', 'first caller resumed']);
  });
});
