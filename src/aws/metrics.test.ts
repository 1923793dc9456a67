import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { EmfMetrics } from './metrics.ts';

/**
 * The line CloudWatch reads: the embedded metric format's `_aws` metadata names the namespace,
 * the dimension set and each metric's unit, and the values sit at the top level beside it
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */
interface EmfLine {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

describe('EmfMetrics', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  function written(record: () => void): EmfLine[] {
    const lines: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    record();
    jest.restoreAllMocks();
    return lines
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EmfLine);
  }

  it('writes each sample as one EMF line in the HumanGov namespace, with its own dimensions and the stage', () => {
    const metrics = new EmfMetrics({ stage: 'prod' });
    const lines = written(() => {
      metrics.record({
        name: 'TenantOnboardingDuration',
        unit: 'Milliseconds',
        value: 93_500,
        dimensions: { Outcome: 'ACTIVE' },
        properties: { tenantId: 'ca' },
      });
      metrics.record({ name: 'Tenants', unit: 'Count', value: 0, dimensions: { Status: 'FAILED' } });
    });

    expect(lines).toHaveLength(2);
    const [duration, gauge] = lines as [EmfLine, EmfLine];
    expect(duration._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'HumanGov',
        Dimensions: [expect.arrayContaining(['service', 'stage', 'Outcome'])],
        Metrics: [{ Name: 'TenantOnboardingDuration', Unit: 'Milliseconds' }],
      },
    ]);
    expect(duration).toMatchObject({ TenantOnboardingDuration: 93_500, Outcome: 'ACTIVE', stage: 'prod', service: 'humangov-control-plane', tenantId: 'ca' });
    // tenantId rides in the line, not as a dimension: no metric per tenant.
    expect(duration._aws.CloudWatchMetrics[0]!.Dimensions.flat()).not.toContain('tenantId');
    expect(gauge).toMatchObject({ Tenants: 0, Status: 'FAILED' });
    expect(gauge._aws.CloudWatchMetrics[0]!.Dimensions[0]).not.toContain('Outcome');
  });
});
