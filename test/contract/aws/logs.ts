/**
 * CloudWatch Logs as its API reference documents it, behind a mocked client:
 * - CreateLogGroup answers ResourceAlreadyExistsException for a taken name and
 *   InvalidParameterException for a name outside [.\-_/#A-Za-z0-9]{1,512}
 *   (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html);
 * - PutRetentionPolicy accepts only the listed day counts, InvalidParameterException otherwise,
 *   ResourceNotFoundException for a missing group
 *   (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html);
 * - TagResource adds or overwrites tags (API_TagResource.html); DeleteLogGroup answers
 *   ResourceNotFoundException for a missing group (API_DeleteLogGroup.html);
 * - throttling is ThrottlingException (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonErrors.html).
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  InvalidParameterException,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';

const $metadata = {};
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

export class CloudWatchLogsModel {
  readonly client = new CloudWatchLogsClient({ region: 'us-east-1' });
  readonly groups = new Map<string, { retentionDays?: number; tags: Record<string, string> }>();

  constructor(options: { throttling?: boolean } = {}) {
    const mock = mockClient(this.client);
    if (options.throttling) {
      mock.onAnyCommand().rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata }));
      return;
    }
    mock.on(CreateLogGroupCommand).callsFake((input) => {
      const name = input.logGroupName ?? '';
      if (!GROUP_NAME.test(name)) throw new InvalidParameterException({ message: `1 validation error detected: Value '${name}' at 'logGroupName'`, $metadata });
      if (this.groups.has(name)) throw new ResourceAlreadyExistsException({ message: 'The specified log group already exists', $metadata });
      this.groups.set(name, { tags: { ...input.tags } });
      return {};
    });
    mock.on(PutRetentionPolicyCommand).callsFake((input) => {
      const group = this.#require(input.logGroupName);
      if (!RETENTION_DAYS.includes(input.retentionInDays ?? 0)) {
        throw new InvalidParameterException({ message: `1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays'`, $metadata });
      }
      group.retentionDays = input.retentionInDays;
      return {};
    });
    mock.on(TagResourceCommand).callsFake((input) => {
      const name = /:log-group:(.+)$/.exec(input.resourceArn ?? '')?.[1];
      Object.assign(this.#require(name).tags, input.tags);
      return {};
    });
    mock.on(DeleteLogGroupCommand).callsFake((input) => {
      this.#require(input.logGroupName);
      this.groups.delete(input.logGroupName ?? '');
      return {};
    });
  }

  #require(name: string | undefined): { retentionDays?: number; tags: Record<string, string> } {
    const group = this.groups.get(name ?? '');
    if (!group) throw new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata });
    return group;
  }
}
