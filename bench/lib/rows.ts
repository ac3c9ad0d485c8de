import type { ScenarioName } from './plan.ts';
import type { StepResult } from '../scenarios/common.ts';

/** One measurement: comparable across targets and repeats by (scenario, key). */
export interface Row {
  scenario: ScenarioName;
  target: string;
  repeat: number;
  key: string;
  params: Record<string, string | number>;
  m: Record<string, number | null>;
  notes?: string[];
}

export function stepMetrics(s: StepResult): Record<string, number | null> {
  return {
    sent: s.send.sent,
    sendFailed: s.send.failed + s.send.skipped,
    expected: s.expected,
    received: s.received,
    lost: s.lost,
    reordered: s.reordered,
    p50: s.latency.p50,
    p90: s.latency.p90,
    p99: s.latency.p99,
    p999: s.latency.p999,
    max: s.latency.max,
    ackP50: s.send.ackLatency.p50,
    ackP99: s.send.ackLatency.p99,
    deliveriesPerSec: s.deliveriesPerSec,
    cpuUsPerDelivery: s.cpuUsPerDelivery,
    serverCores: s.serverCores,
    redisCpuUsPerMsg: s.redisCpuUs === null || !s.send.sent ? null : Math.round(s.redisCpuUs / s.send.sent),
    dbCpuUsPerMsg: s.dbCpuUs === null || !s.send.sent ? null : Math.round(s.dbCpuUs / s.send.sent),
    genCores: s.genCores,
    eventLoopP99Ms: s.eventLoopP99Ms,
    rssMb: Math.round(s.rssKb / 102.4) / 10,
    pass: s.passes100 ? 1 : 0,
  };
}
