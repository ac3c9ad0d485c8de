/**
 * Log-bucketed latency histogram (about 2 % relative precision from 10 µs to 10 min), cheap to record
 * into from a hot loop and mergeable across processes by adding the bucket arrays.
 */
const MIN_MS = 0.01;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
export const BUCKETS = Math.ceil(Math.log(600_000 / MIN_MS) / LOG_GROWTH) + 2;

export interface HistogramData {
  counts: number[];
  count: number;
  sum: number;
  max: number;
  min: number;
}

export class Histogram {
  counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;
  min = Infinity;

  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    const i = v <= MIN_MS ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(v / MIN_MS) / LOG_GROWTH));
    this.counts[i]! += 1;
    this.count += 1;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v < this.min) this.min = v;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
    this.min = Infinity;
  }

  toJSON(): HistogramData {
    // Sparse-friendly: trailing zeros trimmed so IPC messages stay small.
    let last = this.counts.length - 1;
    while (last >= 0 && this.counts[last] === 0) last -= 1;
    return { counts: Array.from(this.counts.subarray(0, last + 1)), count: this.count, sum: this.sum, max: this.max, min: this.count ? this.min : 0 };
  }

  static from(data: HistogramData[]): Histogram {
    const h = new Histogram();
    for (const d of data) h.merge(d);
    return h;
  }

  merge(d: HistogramData): void {
    for (let i = 0; i < d.counts.length && i < BUCKETS; i += 1) this.counts[i]! += d.counts[i]!;
    this.count += d.count;
    this.sum += d.sum;
    if (d.count && d.max > this.max) this.max = d.max;
    if (d.count && d.min < this.min) this.min = d.min;
  }

  /** Upper edge of the bucket holding the p-th percentile, clamped to the exact max. */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i += 1) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, i === 0 ? MIN_MS : MIN_MS * GROWTH ** i);
    }
    return this.max;
  }

  mean(): number {
    return this.count ? this.sum / this.count : NaN;
  }
}
