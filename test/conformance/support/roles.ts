/**
 * The roles of the packaged template, resolved for one account and region, and IAM's
 * verdict on a request made with one of them, by @cloud-copilot/iam-simulate: the role's
 * inline policies as identity policies and its permissions boundary, as AWS evaluates them.
 */
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { ResolvedStack } from './cfn.ts';
import { RESOURCE_TYPE_CORRECTIONS, type IamRequest } from './iam-requests.ts';

export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}
export interface ResolvedRole {
  id: string;
  arn: string;
  policies: { name: string; policy: PolicyDocument }[];
  boundary?: PolicyDocument;
}

export function resolvedRoles(stack: ResolvedStack): Map<string, ResolvedRole> {
  const policies = new Map(
    stack
      .resources('AWS::IAM::ManagedPolicy')
      .map(([id, r]) => [String(stack.resolve({ Ref: id })), stack.resolve(r.Properties.PolicyDocument) as PolicyDocument]),
  );
  // Inline policies may also stand as AWS::IAM::Policy resources naming the roles they belong to.
  const attached = new Map<string, { name: string; policy: PolicyDocument }[]>();
  for (const [, resource] of stack.resources('AWS::IAM::Policy')) {
    const props = resource.Properties as { PolicyName: unknown; PolicyDocument: unknown; Roles?: { Ref: string }[] };
    for (const role of props.Roles ?? []) {
      const list = attached.get(role.Ref) ?? [];
      list.push({ name: String(stack.resolve(props.PolicyName)), policy: stack.resolve(props.PolicyDocument) as PolicyDocument });
      attached.set(role.Ref, list);
    }
  }
  const roles = new Map<string, ResolvedRole>();
  for (const [id, role] of stack.resources('AWS::IAM::Role')) {
    const props = stack.resolve(role.Properties) as { Policies?: { PolicyName: string; PolicyDocument: PolicyDocument }[]; PermissionsBoundary?: string };
    const boundary = props.PermissionsBoundary;
    if (boundary !== undefined && !policies.has(boundary))
      throw new Error(`role ${id}: its permissions boundary ${boundary} is not a managed policy of this stack`);
    roles.set(id, {
      id,
      arn: String(stack.resolve({ 'Fn::GetAtt': [id, 'Arn'] })),
      policies: [...(props.Policies ?? []).map((p) => ({ name: String(p.PolicyName), policy: p.PolicyDocument })), ...(attached.get(id) ?? [])],
      boundary: boundary === undefined ? undefined : policies.get(boundary),
    });
  }
  return roles;
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export async function decide(role: ResolvedRole, request: IamRequest, accountId: string): Promise<Decision> {
  const simulation = {
    request: {
      principal: role.arn.replace(/:iam::(\d{12}):role\/(.+)$/, ':sts::$1:assumed-role/$2/conformance'),
      action: request.action,
      resource: { resource: request.resource, accountId },
      contextVariables: request.context,
    },
    identityPolicies: role.policies,
    permissionBoundaryPolicies: role.boundary ? [{ name: 'boundary', policy: role.boundary }] : undefined,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const correction = RESOURCE_TYPE_CORRECTIONS[request.action];
  if (correction) {
    if (!correction.test(request.resource)) throw new Error(`${request.action} does not act on ${request.resource}`);
    // The data's resource types for this action are wrong (see RESOURCE_TYPE_CORRECTIONS): evaluated without its validation.
    return runUnsafeSimulation(simulation, {}) as Decision;
  }
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`the simulator refused ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}
