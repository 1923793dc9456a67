/**
 * AccessPort on IAM: the role a tenant's tasks assume. It holds exactly one inline policy,
 * built by the domain, and nothing else: the isolation between tenants rests on it. Its
 * permissions boundary (a managed policy of the stack) caps what any policy on it can grant,
 * and the control plane may create or change a task role only with that boundary on it
 * (serverless.yml): the function that writes these roles cannot mint a role above a tenant's.
 */
import {
  CreateRoleCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { isDeepStrictEqual } from 'node:util';
import { NotReadyError, PermanentCloudError } from '../cloud/errors.ts';
import type { AccessPort, TaskRoleSpec } from '../cloud/ports.ts';
import { ecsTasksTrustPolicy } from '../tenants/task-role-policy.ts';
import { translateAwsError } from './errors.ts';
import { tagList } from './tags.ts';
import { awsClient } from './clients.ts';

/** The name of the one inline policy of a task role. */
export const TASK_POLICY_NAME = 'tenant-access';

export interface IamAccessOptions {
  client?: IAMClient;
  region: string;
  accountId: string;
  /** The managed policy set as every task role's permissions boundary. */
  permissionsBoundaryArn: string;
}

export class IamAccess implements AccessPort {
  readonly #client: IAMClient;
  readonly #region: string;
  readonly #accountId: string;
  readonly #boundary: string;

  constructor(options: IamAccessOptions) {
    // IAM is global; the region only picks the endpoint the SDK signs for (and the partition of the ARNs).
    this.#client = options.client ?? awsClient(IAMClient, { region: options.region });
    this.#region = options.region;
    this.#accountId = options.accountId;
    this.#boundary = options.permissionsBoundaryArn;
  }

  /**
   * Returns as soon as the role and its policy are written. IAM takes seconds to make a new
   * role assumable everywhere; ECS retries assuming it when tasks start, so waiting here
   * would only lengthen every onboarding.
   */
  async ensureTaskRole(spec: TaskRoleSpec): Promise<{ arn: string }> {
    const trust = this.trustPolicy();
    const arn = (await this.#create(spec, trust)) ?? (await this.#bringToSpec(spec, trust));
    await this.#call('iam:PutRolePolicy', spec.roleName, () =>
      this.#client.send(new PutRolePolicyCommand({ RoleName: spec.roleName, PolicyName: TASK_POLICY_NAME, PolicyDocument: JSON.stringify(spec.policy) })),
    );
    return { arn };
  }

  async deleteTaskRole(roleName: string): Promise<void> {
    try {
      for (const PolicyName of await this.#inlinePolicyNames(roleName)) {
        await this.#client.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName }));
      }
      for (const PolicyArn of await this.#attachedPolicyArns(roleName)) {
        await this.#client.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn }));
      }
      await this.#client.send(new DeleteRoleCommand({ RoleName: roleName }));
    } catch (error) {
      if (error instanceof NoSuchEntityException) return;
      if (error instanceof DeleteConflictException) {
        throw new NotReadyError(`role "${roleName}" got a policy attached while being deleted; deleting again shortly`, { cause: error });
      }
      throw translateAwsError(error, { action: 'iam:DeleteRole', resource: `role "${roleName}"` });
    }
  }

  trustPolicy(): object {
    return ecsTasksTrustPolicy(this.#region, this.#accountId);
  }

  /** The new role's ARN, or undefined when the role exists already. */
  async #create(spec: TaskRoleSpec, trust: object): Promise<string | undefined> {
    try {
      const created = await this.#client.send(
        new CreateRoleCommand({
          RoleName: spec.roleName,
          AssumeRolePolicyDocument: JSON.stringify(trust),
          Description: 'HumanGov tenant tasks: reaches only its own table and bucket',
          PermissionsBoundary: this.#boundary,
          Tags: tagList(spec.tags),
        }),
      );
      return created.Role?.Arn;
    } catch (error) {
      if (error instanceof EntityAlreadyExistsException) return undefined;
      throw translateAwsError(error, { action: 'iam:CreateRole', resource: `role "${spec.roleName}"` });
    }
  }

  /**
   * An existing role: our boundary, same trust, same tags, and no policy but ours (someone may
   * have added one). The boundary goes first: the control plane may change a task role's
   * trust and policies only once the role carries it (a role made before boundaries is repaired here).
   */
  async #bringToSpec(spec: TaskRoleSpec, trust: object): Promise<string> {
    const RoleName = spec.roleName;
    return this.#call('iam:GetRole', RoleName, async () => {
      const role = (await this.#client.send(new GetRoleCommand({ RoleName }))).Role;
      if (!role?.Arn) throw new PermanentCloudError(`IAM returned no ARN for role "${RoleName}"`);
      if (role.PermissionsBoundary?.PermissionsBoundaryArn !== this.#boundary) {
        await this.#client.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: this.#boundary }));
      }
      const current = role.AssumeRolePolicyDocument ? JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument)) : undefined;
      if (!isDeepStrictEqual(current, trust)) {
        await this.#client.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(trust) }));
      }
      if (Object.keys(spec.tags).length > 0) await this.#client.send(new TagRoleCommand({ RoleName, Tags: tagList(spec.tags) }));
      for (const PolicyName of await this.#inlinePolicyNames(RoleName)) {
        if (PolicyName !== TASK_POLICY_NAME) await this.#client.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }));
      }
      for (const PolicyArn of await this.#attachedPolicyArns(RoleName)) {
        await this.#client.send(new DetachRolePolicyCommand({ RoleName, PolicyArn }));
      }
      return role.Arn;
    });
  }

  async #inlinePolicyNames(RoleName: string): Promise<string[]> {
    const names: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.#client.send(new ListRolePoliciesCommand({ RoleName, Marker }));
      names.push(...(page.PolicyNames ?? []));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return names;
  }

  async #attachedPolicyArns(RoleName: string): Promise<string[]> {
    const arns: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.#client.send(new ListAttachedRolePoliciesCommand({ RoleName, Marker }));
      arns.push(...(page.AttachedPolicies ?? []).flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : [])));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return arns;
  }

  async #call<T>(action: string, roleName: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      // IAM is eventually consistent: a role just created may not be visible yet to the next call
      // (or a concurrent offboarding deleted it, and the next attempt creates it again).
      if (error instanceof NoSuchEntityException) {
        throw new NotReadyError(`role "${roleName}" is not visible yet (or was deleted meanwhile); asking again shortly`, { cause: error });
      }
      throw translateAwsError(error, { action, resource: `role "${roleName}"` });
    }
  }
}
