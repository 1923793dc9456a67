/**
 * IAM as its API reference documents it, behind a mocked client (https://docs.aws.amazon.com/IAM/latest/APIReference/):
 * - CreateRole answers EntityAlreadyExists for a taken name and ValidationError for a name
 *   outside [\w+=,.@-]{1,64} (API_CreateRole.html);
 * - GetRole, PutRolePolicy, TagRole, ListRolePolicies, ListAttachedRolePolicies, DeleteRolePolicy
 *   answer NoSuchEntity for a missing role; GetRole's AssumeRolePolicyDocument is URL-encoded;
 * - DeleteRole answers DeleteConflict while the role still has policies (API_DeleteRole.html);
 * - throttling is the error code "Throttling" (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html),
 *   which the SDK raises as its base exception with that name.
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
  IAMServiceException,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';

const $metadata = {};

interface ModelRole {
  arn: string;
  trust: string;
  boundary?: string;
  policies: Map<string, string>;
  attached: string[];
  tags: Record<string, string>;
}

export class IamModel {
  readonly client = new IAMClient({ region: 'us-east-1' });
  readonly roles = new Map<string, ModelRole>();

  constructor(options: { throttling?: boolean } = {}) {
    const mock = mockClient(this.client);
    if (options.throttling) {
      mock.onAnyCommand().rejects(new IAMServiceException({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded', $metadata }));
      return;
    }
    mock.on(CreateRoleCommand).callsFake((input) => {
      const name = input.RoleName ?? '';
      if (!/^[\w+=,.@-]{1,64}$/.test(name)) {
        throw new IAMServiceException({
          name: 'ValidationError',
          $fault: 'client',
          message: `1 validation error detected: Value '${name}' at 'roleName'`,
          $metadata,
        });
      }
      if (this.roles.has(name)) throw new EntityAlreadyExistsException({ message: `Role with name ${name} already exists.`, $metadata });
      const role: ModelRole = {
        arn: `arn:aws:iam::123456789012:role/${name}`,
        trust: input.AssumeRolePolicyDocument ?? '{}',
        boundary: input.PermissionsBoundary,
        policies: new Map(),
        attached: [],
        tags: Object.fromEntries((input.Tags ?? []).map((t: { Key?: string; Value?: string }) => [t.Key, t.Value])),
      };
      this.roles.set(name, role);
      return { Role: { RoleName: name, Arn: role.arn, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date() } };
    });
    mock.on(GetRoleCommand).callsFake((input) => {
      const role = this.#require(input.RoleName);
      return {
        Role: {
          RoleName: input.RoleName,
          Arn: role.arn,
          Path: '/',
          RoleId: 'AROAEXAMPLE',
          CreateDate: new Date(),
          AssumeRolePolicyDocument: encodeURIComponent(role.trust),
          PermissionsBoundary: role.boundary ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: role.boundary } : undefined,
        },
      };
    });
    mock.on(PutRolePermissionsBoundaryCommand).callsFake((input) => {
      this.#require(input.RoleName).boundary = input.PermissionsBoundary;
      return {};
    });
    mock.on(UpdateAssumeRolePolicyCommand).callsFake((input) => {
      this.#require(input.RoleName).trust = input.PolicyDocument ?? '{}';
      return {};
    });
    mock.on(TagRoleCommand).callsFake((input) => {
      Object.assign(this.#require(input.RoleName).tags, Object.fromEntries((input.Tags ?? []).map((t: { Key?: string; Value?: string }) => [t.Key, t.Value])));
      return {};
    });
    mock.on(PutRolePolicyCommand).callsFake((input) => {
      this.#require(input.RoleName).policies.set(input.PolicyName ?? '', input.PolicyDocument ?? '');
      return {};
    });
    mock.on(ListRolePoliciesCommand).callsFake((input) => ({ PolicyNames: [...this.#require(input.RoleName).policies.keys()], IsTruncated: false }));
    mock.on(ListAttachedRolePoliciesCommand).callsFake((input) => ({
      AttachedPolicies: this.#require(input.RoleName).attached.map((PolicyArn) => ({ PolicyArn })),
      IsTruncated: false,
    }));
    mock.on(DeleteRolePolicyCommand).callsFake((input) => {
      const role = this.#require(input.RoleName);
      if (!role.policies.delete(input.PolicyName ?? ''))
        throw new NoSuchEntityException({ message: `The role policy with name ${input.PolicyName} cannot be found.`, $metadata });
      return {};
    });
    mock.on(DetachRolePolicyCommand).callsFake((input) => {
      const role = this.#require(input.RoleName);
      role.attached = role.attached.filter((arn) => arn !== input.PolicyArn);
      return {};
    });
    mock.on(DeleteRoleCommand).callsFake((input) => {
      const role = this.#require(input.RoleName);
      if (role.policies.size > 0 || role.attached.length > 0) {
        throw new DeleteConflictException({ message: 'Cannot delete entity, must delete policies first.', $metadata });
      }
      this.roles.delete(input.RoleName ?? '');
      return {};
    });
  }

  #require(name: string | undefined): ModelRole {
    const role = this.roles.get(name ?? '');
    if (!role) throw new NoSuchEntityException({ message: `The role with name ${name} cannot be found.`, $metadata });
    return role;
  }
}
