import { describe, expect, it } from '@jest/globals';
import { arnOf, partitionOf } from './arn.ts';

describe('partitionOf', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-west-3', 'aws'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
  ])('puts %s in the %s partition', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });

  it('places a region it has never seen by its name, as the SDK does (us-gov-* is GovCloud)', () => {
    expect(partitionOf('us-gov-south-9')).toBe('aws-us-gov');
    expect(partitionOf('cn-south-9')).toBe('aws-cn');
  });
});

describe('arnOf', () => {
  it('builds regional ARNs of the region partition', () => {
    expect(arnOf({ service: 'dynamodb', region: 'us-gov-west-1', accountId: '123456789012', resource: 'table/t' })).toBe(
      'arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/t',
    );
  });

  it('leaves region (and account) empty for global resources, keeping the partition', () => {
    expect(arnOf({ service: 's3', region: 'us-gov-east-1', regional: false, resource: 'bucket' })).toBe('arn:aws-us-gov:s3:::bucket');
    expect(arnOf({ service: 'iam', region: 'us-east-1', regional: false, accountId: '123456789012', resource: 'role/r' })).toBe(
      'arn:aws:iam::123456789012:role/r',
    );
  });
});
