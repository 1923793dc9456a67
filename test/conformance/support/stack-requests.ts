/**
 * The requests AWS services make with the stack's roles on the stack's behalf, read from the
 * packaged template itself: Lambda reading the tenants stream for its function, Step
 * Functions invoking each Task's function and logging and tracing, EventBridge starting a
 * state machine. Each rule names the AWS page it comes from.
 */
import type { ResolvedStack } from './cfn.ts';
import type { IamRequest } from './iam-requests.ts';

export interface RoleRequest {
  /** The logical id of the role making the request. */
  role: string;
  /** What made it, for the failure message. */
  by: string;
  request: IamRequest;
}

const request = (action: string, resource = '*', context: Record<string, string> = {}): IamRequest => ({ action, resource, context });

/** The logical id of the role `arn` resolves to (a Fn::GetAtt of a role of the template). */
export function roleIdOf(stack: ResolvedStack, arn: unknown): string {
  const found = stack.resources('AWS::IAM::Role').find(([id]) => stack.resolve({ 'Fn::GetAtt': [id, 'Arn'] }) === stack.resolve(arn));
  if (!found) throw new Error(`no role of the template has the ARN ${JSON.stringify(arn)}`);
  return found[0];
}

/** The role and resolved environment of the function named `name` in serverless.yml. */
export function functionOf(stack: ResolvedStack, name: string): { id: string; role: string; arn: string; environment: Record<string, string> } {
  const found = stack.resources('AWS::Lambda::Function').find(([, f]) => String(stack.resolve(f.Properties.FunctionName)).endsWith(`-${name}`));
  if (!found) throw new Error(`the template has no function ${name}`);
  const [id, fn] = found;
  const environment = stack.resolve((fn.Properties.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}) as Record<string, string>;
  return { id, role: roleIdOf(stack, fn.Properties.Role), arn: String(stack.resolve({ 'Fn::GetAtt': [id, 'Arn'] })), environment };
}

/**
 * A DynamoDB stream event source mapping polls with its function's role: DescribeStream,
 * GetRecords, GetShardIterator on the stream, ListStreams, and sends what fails to the
 * on-failure destination:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-eventsourcemapping.html
 */
export function streamMappingRequests(stack: ResolvedStack): RoleRequest[] {
  return stack.resources('AWS::Lambda::EventSourceMapping').flatMap(([id, mapping]) => {
    const fnArn = String(stack.resolve(mapping.Properties.FunctionName));
    const fn = stack
      .resources('AWS::Lambda::Function')
      .find(([fid]) => stack.resolve({ 'Fn::GetAtt': [fid, 'Arn'] }) === fnArn || stack.resolve({ Ref: fid }) === fnArn);
    if (!fn) throw new Error(`${id}: its function ${fnArn} is not in the template`);
    const role = roleIdOf(stack, fn[1].Properties.Role);
    const stream = String(stack.resolve(mapping.Properties.EventSourceArn));
    const requests = [
      request('dynamodb:DescribeStream', stream),
      request('dynamodb:GetRecords', stream),
      request('dynamodb:GetShardIterator', stream),
      request('dynamodb:ListStreams'),
    ];
    const onFailure = (mapping.Properties.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
    if (onFailure) requests.push(request('sqs:SendMessage', String(stack.resolve(onFailure))));
    return requests.map((r) => ({ role, by: `stream mapping ${id}`, request: r }));
  });
}

interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string };
  Arguments?: { FunctionName?: string };
  Iterator?: { States: Record<string, AslState> };
  ItemProcessor?: { States: Record<string, AslState>; ProcessorConfig?: { Mode?: string } };
  Branches?: { States: Record<string, AslState> }[];
}

function* statesOf(states: Record<string, AslState>): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    const nested = state.ItemProcessor ?? state.Iterator;
    if (nested) yield* statesOf(nested.States);
    for (const branch of state.Branches ?? []) yield* statesOf(branch.States);
  }
}

/**
 * A state machine's role invokes the Lambda function of each Task state
 * (https://docs.aws.amazon.com/step-functions/latest/dg/lambda-iam.html), starts and watches
 * the child executions of a distributed Map
 * (https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html), sets
 * up the delivery of its logs (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html)
 * and, when tracing, writes and samples traces (https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html).
 */
export function stateMachineRequests(stack: ResolvedStack): RoleRequest[] {
  return stack.resources('AWS::StepFunctions::StateMachine').flatMap(([id, machine]) => {
    const props = machine.Properties;
    const role = roleIdOf(stack, props.RoleArn);
    const substitutions = stack.resolve(props.DefinitionSubstitutions ?? {}) as Record<string, string>;
    const definition = JSON.parse(String(props.DefinitionString).replace(/\$\{(\w+)\}/g, (match, name: string) => substitutions[name] ?? match)) as {
      States: Record<string, AslState>;
    };
    const machineArn = String(stack.resolve({ Ref: id }));
    const requests: [string, IamRequest][] = [];
    for (const [name, state] of statesOf(definition.States)) {
      if (state.Type === 'Task' && state.Resource) {
        const optimised = /^arn:[^:]+:states:::lambda:invoke/.test(state.Resource);
        const fn = optimised ? (state.Arguments?.FunctionName ?? state.Parameters?.FunctionName) : state.Resource;
        if (!fn || fn.includes('${')) throw new Error(`${id}: Task state ${name} calls ${fn ?? state.Resource}, which the template does not resolve`);
        if (optimised || /:lambda:/.test(fn)) requests.push([`Task state ${name}`, request('lambda:InvokeFunction', fn)]);
      }
      if (state.Type === 'Map' && state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
        // A child execution's ARN is execution:<state machine>/<Map Run label>:<id>, the label being the
        // Map state's name unless it sets one (https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html).
        const label = (state as { Label?: string }).Label ?? name;
        const child = `${machineArn.replace(':stateMachine:', ':execution:')}/${label}:0f8e2c4a-1b2c-3d4e-5f60-718293a4b5c6`;
        requests.push([`distributed Map ${name}`, request('states:StartExecution', machineArn)]);
        requests.push([`distributed Map ${name}`, request('states:DescribeExecution', child)]);
        requests.push([`distributed Map ${name}`, request('states:StopExecution', child)]);
      }
    }
    if (props.LoggingConfiguration) {
      for (const action of [
        'CreateLogDelivery',
        'GetLogDelivery',
        'UpdateLogDelivery',
        'DeleteLogDelivery',
        'ListLogDeliveries',
        'PutResourcePolicy',
        'DescribeResourcePolicies',
        'DescribeLogGroups',
      ]) {
        requests.push(['logging', request(`logs:${action}`)]);
      }
    }
    if ((props.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled) {
      for (const action of ['PutTraceSegments', 'PutTelemetryRecords', 'GetSamplingRules', 'GetSamplingTargets'])
        requests.push(['tracing', request(`xray:${action}`)]);
    }
    return requests.map(([by, r]) => ({ role, by: `state machine ${id}, ${by}`, request: r }));
  });
}

/** EventBridge starts a state machine target with the target's role: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html */
export function eventRuleRequests(stack: ResolvedStack): RoleRequest[] {
  return stack.resources('AWS::Events::Rule').flatMap(([id, rule]) =>
    ((rule.Properties.Targets ?? []) as { Arn: unknown; RoleArn?: unknown; Id: string }[])
      .filter((target) => target.RoleArn && String(stack.resolve(target.Arn)).includes(':states:'))
      .map((target) => ({
        role: roleIdOf(stack, target.RoleArn),
        by: `rule ${id}, target ${target.Id}`,
        request: request('states:StartExecution', String(stack.resolve(target.Arn))),
      })),
  );
}
