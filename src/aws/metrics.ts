/**
 * MetricsPort in AWS: each sample is one line of CloudWatch's embedded metric format on the
 * function's standard output, which Lambda sends to CloudWatch Logs and CloudWatch turns into a
 * metric of the HumanGov namespace, with no API call and no permission
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * Written by Powertools Metrics, one sample a line (its dimensions are the sample's own, plus
 * service and stage); the sample's properties ride in the same line as searchable fields.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, type MetricSample, type MetricsPort } from '../kernel/metrics.ts';

export class EmfMetrics implements MetricsPort {
  readonly #metrics: Metrics;

  constructor(options: { stage: string }) {
    this.#metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'humangov-control-plane', defaultDimensions: { stage: options.stage } });
  }

  record(sample: MetricSample): void {
    const line = this.#metrics.singleMetric();
    line.addDimensions(sample.dimensions);
    for (const [key, value] of Object.entries(sample.properties ?? {})) line.addMetadata(key, value);
    // A single metric is written as soon as its value is added.
    line.addMetric(sample.name, sample.unit, sample.value);
  }
}
