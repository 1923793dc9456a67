import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from '@jest/globals';
import { TransientCloudError } from '../cloud/errors.ts';
import { CloudWatchLogGroups } from './logs.ts';

const logs = mockClient(CloudWatchLogsClient);
const groups = new CloudWatchLogGroups({ client: new CloudWatchLogsClient({ region: 'us-east-1' }), region: 'us-east-1', accountId: '123456789012' });
const logGroupName = '/humangov/prod/tenants/ca';
const spec = { name: logGroupName, retentionDays: 30, tags: { 'humangov:tenant': 'ca' } };
const meta = { $metadata: {} };

afterEach(() => {
  logs.reset();
});

describe('CloudWatchLogGroups.ensureLogGroup', () => {
  it('creates the group with its tags and sets the retention', async () => {
    await groups.ensureLogGroup(spec);

    expect(logs.commandCalls(CreateLogGroupCommand)[0]?.args[0].input).toEqual({ logGroupName, tags: { 'humangov:tenant': 'ca' } });
    expect(logs.commandCalls(PutRetentionPolicyCommand)[0]?.args[0].input).toEqual({ logGroupName, retentionInDays: 30 });
    expect(logs.commandCalls(TagResourceCommand)).toHaveLength(0);
  });

  it('accepts an existing group, tags it and still sets the retention', async () => {
    logs.on(CreateLogGroupCommand).rejects(new ResourceAlreadyExistsException({ message: 'exists', ...meta }));

    await groups.ensureLogGroup(spec);

    expect(logs.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({
      resourceArn: `arn:aws:logs:us-east-1:123456789012:log-group:${logGroupName}`,
      tags: { 'humangov:tenant': 'ca' },
    });
    expect(logs.commandCalls(PutRetentionPolicyCommand)).toHaveLength(1);
  });

  it('tags an existing group by its ARN in the partition of the region (AWS GovCloud (US))', async () => {
    const gov = new CloudWatchLogGroups({ client: new CloudWatchLogsClient({ region: 'us-gov-west-1' }), region: 'us-gov-west-1', accountId: '123456789012' });
    logs.on(CreateLogGroupCommand).rejects(new ResourceAlreadyExistsException({ message: 'exists', ...meta }));

    await gov.ensureLogGroup(spec);

    expect(logs.commandCalls(TagResourceCommand)[0]?.args[0].input.resourceArn).toBe(
      `arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:${logGroupName}`,
    );
  });

  it('translates throttling into TransientCloudError', async () => {
    logs.on(CreateLogGroupCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', ...meta }));

    await expect(groups.ensureLogGroup(spec)).rejects.toBeInstanceOf(TransientCloudError);
  });
});

describe('CloudWatchLogGroups.deleteLogGroup', () => {
  it('deletes the group', async () => {
    await groups.deleteLogGroup(logGroupName);

    expect(logs.commandCalls(DeleteLogGroupCommand)[0]?.args[0].input).toEqual({ logGroupName });
  });

  it('treats a missing group as deleted', async () => {
    logs.on(DeleteLogGroupCommand).rejects(new ResourceNotFoundException({ message: 'missing', ...meta }));

    await expect(groups.deleteLogGroup(logGroupName)).resolves.toBeUndefined();
  });
});
