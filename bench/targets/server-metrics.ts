import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

/**
 * The metrics a baseline server exposes, named like Parley's so the harness reads every target the
 * same way. Event-loop delay is the p99 since the previous scrape (the scrape resets the window), with
 * the sampling resolution subtracted, in ms.
 */
export function createServerMetrics(gauges: () => Record<string, number>) {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  return {
    text(): string {
      const p99 = delay.count > 0 ? Math.max(0, delay.percentile(99) / 1e6 - RESOLUTION_MS) : 0;
      const max = delay.count > 0 ? Math.max(0, delay.max / 1e6 - RESOLUTION_MS) : 0;
      delay.reset();
      const mem = process.memoryUsage();
      const lines = [
        '# TYPE parley_event_loop_delay_p99_ms gauge',
        `parley_event_loop_delay_p99_ms ${p99.toFixed(3)}`,
        '# TYPE parley_event_loop_delay_max_ms gauge',
        `parley_event_loop_delay_max_ms ${max.toFixed(3)}`,
        '# TYPE parley_heap_used_bytes gauge',
        `parley_heap_used_bytes ${mem.heapUsed}`,
      ];
      for (const [name, value] of Object.entries(gauges())) lines.push(`# TYPE ${name} gauge`, `${name} ${value}`);
      return `${lines.join('\n')}\n`;
    },
  };
}
