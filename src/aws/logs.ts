/** LogsPort on CloudWatch Logs: the log group a tenant's tasks write to, with a retention. */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { arnOf } from '../cloud/arn.ts';
import { NotReadyError } from '../cloud/errors.ts';
import type { LogsPort, Tags } from '../cloud/ports.ts';
import { translateAwsError } from './errors.ts';
import { awsClient } from './clients.ts';

export interface CloudWatchLogGroupsOptions {
  client?: CloudWatchLogsClient;
  region: string;
  accountId: string;
}

export class CloudWatchLogGroups implements LogsPort {
  readonly #client: CloudWatchLogsClient;
  readonly #region: string;
  readonly #accountId: string;

  constructor(options: CloudWatchLogGroupsOptions) {
    this.#client = options.client ?? awsClient(CloudWatchLogsClient, { region: options.region });
    this.#region = options.region;
    this.#accountId = options.accountId;
  }

  async ensureLogGroup(spec: { name: string; retentionDays: number; tags: Tags }): Promise<void> {
    const logGroupName = spec.name;
    const resource = `log group "${logGroupName}"`;
    try {
      await this.#client.send(new CreateLogGroupCommand({ logGroupName, tags: spec.tags }));
    } catch (error) {
      if (!(error instanceof ResourceAlreadyExistsException)) throw translateAwsError(error, { action: 'logs:CreateLogGroup', resource });
      if (Object.keys(spec.tags).length > 0) {
        await this.#change('logs:TagResource', logGroupName, () =>
          this.#client.send(new TagResourceCommand({ resourceArn: this.#arn(logGroupName), tags: spec.tags })),
        );
      }
    }
    // Without a retention, task logs are kept (and billed) forever.
    await this.#change('logs:PutRetentionPolicy', logGroupName, () =>
      this.#client.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: spec.retentionDays })),
    );
  }

  async deleteLogGroup(name: string): Promise<void> {
    try {
      await this.#client.send(new DeleteLogGroupCommand({ logGroupName: name }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw translateAwsError(error, { action: 'logs:DeleteLogGroup', resource: `log group "${name}"` });
    }
  }

  /** The log group's ARN as TagResource wants it (without the trailing ":*" of DescribeLogGroups). */
  #arn(name: string): string {
    return arnOf({ service: 'logs', region: this.#region, accountId: this.#accountId, resource: `log-group:${name}` });
  }

  async #change(action: string, name: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        throw new NotReadyError(`log group "${name}" was deleted while being ensured; creating it again shortly`, { cause: error });
      }
      throw translateAwsError(error, { action, resource: `log group "${name}"` });
    }
  }
}
