/**
 * The control plane's own metrics: what the workflows report as they end (onboarding and
 * offboarding duration and outcome, each tenant's rollout outcome, tenants by status). In AWS
 * they become CloudWatch metrics through the embedded metric format (src/aws/metrics.ts);
 * locally the status API serves them at GET /metrics (src/local/metrics.ts).
 */

/** The CloudWatch namespace of every metric here. */
export const METRIC_NAMESPACE = 'HumanGov';

/** CloudWatch's own unit names. */
export type MetricUnit = 'Count' | 'Milliseconds';

export interface MetricSample {
  name: string;
  unit: MetricUnit;
  value: number;
  /** Few values each (an outcome, a status): every combination is a metric CloudWatch bills. */
  dimensions: Record<string, string>;
  /** Carried beside the value (in AWS, searchable in the log line), never a dimension: no metric per tenant. */
  properties?: Record<string, string>;
}

/** Where samples go. Recording never fails a step: a sink that cannot keep a sample drops it. */
export interface MetricsPort {
  record(sample: MetricSample): void;
}
