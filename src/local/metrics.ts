/**
 * MetricsPort locally: every sample kept in memory, summed per metric (name and dimensions) with
 * CloudWatch's statistics (SampleCount, Sum, Minimum, Maximum) and the last value (what a gauge
 * such as Tenants by Status reads). The status API serves them at GET /metrics.
 */
import { METRIC_NAMESPACE, type MetricSample, type MetricsPort, type MetricUnit } from '../kernel/metrics.ts';

export interface MetricSummary {
  name: string;
  unit: MetricUnit;
  dimensions: Record<string, string>;
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
  last: number;
  lastAt: string;
}

export interface MetricsSnapshot {
  namespace: string;
  metrics: MetricSummary[];
}

export class InMemoryMetrics implements MetricsPort {
  readonly #metrics = new Map<string, MetricSummary>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  record(sample: MetricSample): void {
    const dimensions = Object.fromEntries(Object.entries(sample.dimensions).sort(([a], [b]) => a.localeCompare(b)));
    const key = JSON.stringify([sample.name, dimensions]);
    const at = this.#now().toISOString();
    const found = this.#metrics.get(key);
    if (!found) {
      const { name, unit, value } = sample;
      this.#metrics.set(key, { name, unit, dimensions, sampleCount: 1, sum: value, minimum: value, maximum: value, last: value, lastAt: at });
      return;
    }
    found.sampleCount += 1;
    found.sum += sample.value;
    found.minimum = Math.min(found.minimum, sample.value);
    found.maximum = Math.max(found.maximum, sample.value);
    found.last = sample.value;
    found.lastAt = at;
  }

  /** Every metric so far, by name then dimensions. */
  snapshot(): MetricsSnapshot {
    const metrics = [...this.#metrics.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, summary]) => structuredClone(summary));
    return { namespace: METRIC_NAMESPACE, metrics };
  }
}
