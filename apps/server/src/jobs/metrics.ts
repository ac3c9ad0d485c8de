import type { JobOutcome, JobQueues, QueueName } from './queues.ts';

interface Tally {
  completed: number;
  retried: number;
  failed: number;
  durationSumMs: number;
  durationMaxMs: number;
  runs: number;
}

const tally = (): Tally => ({ completed: 0, retried: 0, failed: 0, durationSumMs: 0, durationMaxMs: 0, runs: 0 });

/**
 * Job metrics for `/metrics`: queue depth from the queues themselves (cluster-wide), and the runs of
 * this process's workers (durations, completions, retries, failures).
 */
export class JobMetrics {
  readonly #tallies: Record<QueueName, Tally> = { sweep: tally(), notify: tally() };

  record = (outcome: JobOutcome): void => {
    const t = this.#tallies[outcome.queue];
    t.runs += 1;
    t.durationSumMs += outcome.durationMs;
    t.durationMaxMs = Math.max(t.durationMaxMs, outcome.durationMs);
    if (outcome.result === 'completed') t.completed += 1;
    else if (outcome.result === 'retry') t.retried += 1;
    else t.failed += 1;
  };

  /** Prometheus text; queue depth is left out while the queues cannot be read (Redis down). */
  async render(queues: JobQueues): Promise<string> {
    const lines: string[] = [];
    const counts = await queues.counts().catch(() => null);
    if (counts) {
      lines.push('# TYPE parley_queue_jobs gauge');
      for (const [queue, byState] of Object.entries(counts)) {
        for (const [state, n] of Object.entries(byState)) lines.push(`parley_queue_jobs{queue="${queue}",state="${state}"} ${n}`);
      }
    }
    const series: Array<[string, string, (t: Tally) => number]> = [
      ['parley_jobs_completed_total', 'counter', (t) => t.completed],
      ['parley_jobs_retried_total', 'counter', (t) => t.retried],
      ['parley_jobs_failed_total', 'counter', (t) => t.failed],
      ['parley_job_duration_seconds_sum', 'counter', (t) => t.durationSumMs / 1000],
      ['parley_job_duration_seconds_count', 'counter', (t) => t.runs],
      ['parley_job_duration_seconds_max', 'gauge', (t) => t.durationMaxMs / 1000],
    ];
    for (const [name, type, read] of series) {
      lines.push(`# TYPE ${name} ${type}`);
      for (const [queue, t] of Object.entries(this.#tallies)) lines.push(`${name}{queue="${queue}"} ${Number(read(t).toFixed(6))}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
