import { join } from 'node:path';
import { arnOf } from '../../cloud/arn.ts';
import { PermanentCloudError } from '../../cloud/errors.ts';
import type { AccessPort, PolicyDocument, Tags, TaskRoleSpec } from '../../cloud/ports.ts';
import { JsonStore } from '../json-store.ts';
import { ecsTasksTrustPolicy } from '../../tenants/task-role-policy.ts';
import { localPaths } from '../settings.ts';

/** The name of a task role's one inline policy, as the AWS provider names it. */
export const TASK_POLICY_NAME = 'tenant-access';

export interface LocalRole {
  arn: string;
  assumeRolePolicy: object;
  /** The one inline policy. */
  policyName: string;
  policy: PolicyDocument;
  tags: Tags;
  createdAt: string;
  updatedAt: string;
}

type RolesDoc = Record<string, LocalRole>;

/**
 * IAM's limits, checked here so a role that AWS would refuse is refused locally too: role
 * names (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html) and the
 * 10,240 characters of a role's inline policies, white space not counted
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const MAX_INLINE_POLICY_CHARS = 10_240;

/**
 * AccessPort with no IAM: roles and their inline policies are records in
 * `<home>/state/iam.json`. Nothing enforces them locally (tasks reach
 * DynamoDB and S3 with placeholder credentials); they are kept so the workflows
 * run the same steps, and so tests and a person can read what a tenant would be
 * allowed (`policyOf`). A role is usable at once: no NotReadyError.
 */
export class RecordedRoles implements AccessPort {
  readonly #store: JsonStore<RolesDoc>;
  readonly #accountId: string;
  readonly #region: string;

  constructor(options: { home: string; accountId?: string; region?: string }) {
    this.#accountId = options.accountId ?? '000000000000';
    this.#region = options.region ?? 'us-east-1';
    this.#store = new JsonStore(join(localPaths(options.home).state, 'iam.json'), () => ({}));
  }

  async ensureTaskRole(spec: TaskRoleSpec): Promise<{ arn: string }> {
    if (!ROLE_NAME.test(spec.roleName))
      throw new PermanentCloudError(`"${spec.roleName}" is not a valid IAM role name (1 to 64 of letters, digits and +=,.@_-)`);
    const size = JSON.stringify(spec.policy).length;
    if (size > MAX_INLINE_POLICY_CHARS) {
      throw new PermanentCloudError(
        `the inline policy of role ${spec.roleName} has ${size} characters; IAM allows ${MAX_INLINE_POLICY_CHARS} per role: name fewer resources or actions`,
      );
    }
    if (spec.policy.Statement.length === 0) throw new PermanentCloudError(`the inline policy of role ${spec.roleName} has no statements`);
    const arn = arnOf({ service: 'iam', region: this.#region, regional: false, accountId: this.#accountId, resource: `role/${spec.roleName}` });
    await this.#store.update((doc) => {
      const now = new Date().toISOString();
      doc[spec.roleName] = {
        arn,
        assumeRolePolicy: ecsTasksTrustPolicy(this.#region, this.#accountId),
        policyName: TASK_POLICY_NAME,
        policy: structuredClone(spec.policy),
        tags: { ...spec.tags },
        createdAt: doc[spec.roleName]?.createdAt ?? now,
        updatedAt: now,
      };
    });
    return { arn };
  }

  async deleteTaskRole(roleName: string): Promise<void> {
    await this.#store.update((doc) => {
      delete doc[roleName];
    });
  }

  /** The inline policy of `roleName`, or undefined when there is no such role. */
  async policyOf(roleName: string): Promise<PolicyDocument | undefined> {
    return (await this.#store.read())[roleName]?.policy;
  }

  async roleOf(roleName: string): Promise<LocalRole | undefined> {
    return (await this.#store.read())[roleName];
  }
}
