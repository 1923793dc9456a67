/**
 * The packaged CloudFormation template holds the whole deployment. This takes the dev stage as
 * `serverless package` builds it offline (no network, no credentials), exactly as a deploy would
 * (packaged once per run and shared with the conformance gate, test/conformance/), and checks
 * what a reviewer of the stack would check.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { labelled } from './support/labelled.ts';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { allStates, loadDefinition, PLACEHOLDER, WORKFLOWS } from '../src/workflows/definitions.ts';
import { CPU_ARCHITECTURE } from '../src/aws/task-definitions.ts';
import { packagedStack, ROOT as root, VARIANTS } from './conformance/support/packaged-stack.ts';
import { ResolvedStack } from './conformance/support/cfn.ts';
import { decide as decideFor, resolvedRoles } from './conformance/support/roles.ts';
import { functionOf } from './conformance/support/stack-requests.ts';
import { RECEIVE_VISIBILITY_SECONDS } from '../src/aws/stream-failures.ts';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  Condition?: string;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

let template: { Resources: Record<string, Resource>; Conditions: Json; Outputs: Json };
let artifacts: string[];

const resources = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const resource = (id: string) => {
  const found = template.Resources[id];
  if (!found) throw new Error(`the template has no resource ${id}`);
  return found;
};
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

beforeAll(async () => {
  const stack = await packagedStack(VARIANTS.dev);
  template = stack.template as typeof template;
  artifacts = stack.artifacts;
}, 300_000);

describe('packaged template: data', () => {
  it('keeps tenants in a stream-enabled table with PITR and deletion protection', () => {
    const tenants = resource('TenantsTable').Properties;
    expect(tenants).toMatchObject({
      TableName: 'humangov-dev-tenants',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('keeps the tables and the image repository when the stack goes or they are replaced, but not after a failed first create', () => {
    for (const id of ['TenantsTable', 'DeploymentsTable', 'AppRepository']) {
      labelled(id, () => expect(resource(id)).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' }));
    }
  });

  it('keeps deployments in a table with PITR and deletion protection', () => {
    expect(resource('DeploymentsTable').Properties).toMatchObject({
      TableName: 'humangov-dev-deployments',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('reads the tenants stream with partial batch failures, bisecting, bounded retries and a dead-letter queue', () => {
    const [[, mapping]] = resources('AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['TenantsTable', 'StreamArn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['StreamFailureQueue', 'Arn'] } } },
    });
    expect(mapping.Properties.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(mapping.Properties.MaximumRetryAttempts).toBeLessThanOrEqual(10);
    expect(resource('StreamFailureQueue').Type).toBe('AWS::SQS::Queue');
  });
});

describe('packaged template: workflows', () => {
  const machines = {
    'tenant-onboard': 'TenantOnboardStateMachine',
    'tenant-offboard': 'TenantOffboardStateMachine',
    'image-deploy': 'ImageDeployStateMachine',
  } as const;

  it.each(WORKFLOWS)('deploys %s from its file in statemachines/, unchanged', async (workflow) => {
    const machine = resource(machines[workflow]).Properties;
    expect(JSON.parse(String(machine.DefinitionString))).toEqual(await loadDefinition(workflow));
    expect(machine.StateMachineType).toBe('STANDARD');
  });

  it.each(WORKFLOWS)('fills every Lambda placeholder of %s with a function of this stack', async (workflow) => {
    const substitutions = resource(machines[workflow]).Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
    for (const [name, state] of allStates(await loadDefinition(workflow))) {
      const placeholder = state.Resource ? PLACEHOLDER.exec(state.Resource)?.[1] : undefined;
      if (state.Type !== 'Task') continue;
      labelled(`${workflow}: state ${name} should call one of our functions`, () => expect(placeholder).toBeDefined());
      const target = substitutions[placeholder!]?.['Fn::GetAtt']?.[0];
      labelled(`${workflow}: ${placeholder}`, () => expect(target && resource(target).Type).toBe('AWS::Lambda::Function'));
    }
  });

  it('lets image-deploy start, describe and stop its own Distributed Map children, in any partition, and no other executions', async () => {
    const policy = resource('ImageDeployChildExecutionsPolicy').Properties;
    expect(policy.Roles).toEqual([{ Ref: 'StateMachineRole' }]);
    expect(resource('ImageDeployStateMachine').Properties.RoleArn).toEqual({ 'Fn::GetAtt': ['StateMachineRole', 'Arn'] });
    for (const [partition, region] of [
      ['aws', 'us-east-1'],
      ['aws-us-gov', 'us-gov-west-1'],
    ] as const) {
      // CloudFormation's pseudo parameters, as Fn::Sub fills them in that partition.
      const document = JSON.parse(
        JSON.stringify(policy.PolicyDocument).replace(/\{"Fn::Sub":("[^"]*")\}/g, (_, text: string) =>
          text.replace('${AWS::Partition}', partition).replace('${AWS::Region}', region).replace('${AWS::AccountId}', '123456789012'),
        ),
      );
      const states = `arn:${partition}:states:${region}:123456789012`;
      const decide = async (action: string, resource: string) => {
        const result = await runSimulation(
          {
            request: {
              principal: `arn:${partition}:sts::123456789012:assumed-role/state-machines/execution`,
              action,
              resource: { resource, accountId: '123456789012' },
              contextVariables: {},
            },
            identityPolicies: [{ name: 'image-deploy-distributed-map', policy: document }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
          },
          {},
        );
        if (result.resultType === 'error') throw new Error(`the simulator refused ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
        return `${action} ${resource.replace(states, '')}: ${result.overallResult}`;
      };
      // A Distributed Map child's ARN: execution:<state machine>/<map run label>:<child>.
      const child = `${states}:execution:humangov-dev-image-deploy/RollOutWave:0f8e2c4a-1b2c-3d4e-5f60-718293a4b5c6`;
      const decisions = await Promise.all([
        decide('states:StartExecution', `${states}:stateMachine:humangov-dev-image-deploy`),
        decide('states:DescribeExecution', child),
        decide('states:StopExecution', child),
        decide('states:StartExecution', `${states}:stateMachine:humangov-dev-tenant-onboard`),
        decide('states:StopExecution', `${states}:execution:humangov-dev-tenant-onboard:ca`),
        decide('states:DescribeExecution', `${states}:execution:humangov-dev-image-deploy-other/RollOutWave:1`),
      ]);
      expect(decisions).toEqual([
        'states:StartExecution :stateMachine:humangov-dev-image-deploy: Allowed',
        'states:DescribeExecution :execution:humangov-dev-image-deploy/RollOutWave:0f8e2c4a-1b2c-3d4e-5f60-718293a4b5c6: Allowed',
        'states:StopExecution :execution:humangov-dev-image-deploy/RollOutWave:0f8e2c4a-1b2c-3d4e-5f60-718293a4b5c6: Allowed',
        'states:StartExecution :stateMachine:humangov-dev-tenant-onboard: ImplicitlyDenied',
        'states:StopExecution :execution:humangov-dev-tenant-onboard:ca: ImplicitlyDenied',
        'states:DescribeExecution :execution:humangov-dev-image-deploy-other/RollOutWave:1: ImplicitlyDenied',
      ]);
    }
  });

  it('starts image-deploy on a successful push of a v* tag to the app repository, passing the event', () => {
    const rule = resource('ImagePushRule').Properties;
    expect(rule.EventPattern).toEqual({
      source: ['aws.ecr'],
      'detail-type': ['ECR Image Action'],
      detail: {
        'action-type': ['PUSH'],
        result: ['SUCCESS'],
        'repository-name': ['humangov-dev-app'],
        'image-tag': [{ prefix: 'v' }],
      },
    });
    const [target] = rule.Targets as Json[];
    expect(target).toMatchObject({ Arn: { Ref: 'ImageDeployStateMachine' } });
    const template = (target!.InputTransformer as { InputTemplate: string }).InputTemplate;
    // The whole event, detail included: <aws.events.event> is the event without its detail.
    const input = JSON.parse(template.replace('<aws.events.event.json>', '{"id":"e-1"}'));
    expect(input).toEqual({ event: { id: 'e-1' }, maxConcurrency: 50, failureThreshold: 1 });
  });
});

describe('packaged template: reconciler', () => {
  it('runs the reconciler every 5 minutes from an EventBridge rule that only it lets invoke it', () => {
    const rules = resources('AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression);
    expect(rules.map(([, r]) => [r.Properties.ScheduleExpression, r.Properties.State, (r.Properties.Targets as Json[]).map((t) => t.Arn)])).toEqual([
      ['rate(5 minutes)', 'ENABLED', [{ 'Fn::GetAtt': ['ReconcileLambdaFunction', 'Arn'] }]],
    ]);
    const permissions = resources('AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.FunctionName).includes('ReconcileLambdaFunction'));
    expect(permissions.map(([, p]) => p.Properties)).toEqual([
      {
        FunctionName: { 'Fn::GetAtt': ['ReconcileLambdaFunction', 'Arn'] },
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [rules[0]![0], 'Arn'] },
      },
    ]);
  });

  it('ends a pass before the failure-queue messages it took are handed out again', () => {
    const fn = resource('ReconcileLambdaFunction').Properties;
    expect(fn.Timeout).toBeLessThanOrEqual(RECEIVE_VISIBILITY_SECONDS);
    expect((fn.Environment as { Variables: Json }).Variables).toMatchObject({
      STREAM_FAILURE_QUEUE_URL: { Ref: 'StreamFailureQueue' },
      ONBOARD_STATE_MACHINE_ARN: { Ref: 'TenantOnboardStateMachine' },
      OFFBOARD_STATE_MACHINE_ARN: { Ref: 'TenantOffboardStateMachine' },
    });
  });

  it('lets the reconciler read the failure queue and the tenants stream and start the tenant workflows, and nothing beside them', async () => {
    const stack = new ResolvedStack(template as never, { region: 'us-east-1', accountId: '123456789012', stackName: 'humangov-dev' });
    const role = resolvedRoles(stack).get(functionOf(stack, 'reconcile').role)!;
    const arn = (id: string, attribute: string) => String(stack.resolve({ 'Fn::GetAtt': [id, attribute] }));
    const states = (name: string) => stack.arn('states', `stateMachine:humangov-dev-${name}`);
    const requests: [string, string][] = [
      ['sqs:ReceiveMessage', arn('StreamFailureQueue', 'Arn')],
      ['sqs:DeleteMessage', arn('StreamFailureQueue', 'Arn')],
      ['dynamodb:GetShardIterator', arn('TenantsTable', 'StreamArn')],
      ['dynamodb:GetRecords', arn('TenantsTable', 'StreamArn')],
      ['states:StartExecution', states('tenant-onboard')],
      ['states:StartExecution', states('tenant-offboard')],
      ['sqs:ReceiveMessage', stack.arn('sqs', 'humangov-dev-other-queue')],
      ['sqs:SendMessage', arn('StreamFailureQueue', 'Arn')],
      ['dynamodb:GetRecords', stack.arn('dynamodb', 'table/humangov-dev-deployments/stream/2026-01-01T00:00:00.000')],
      ['dynamodb:DeleteItem', arn('TenantsTable', 'Arn')],
      ['states:StartExecution', states('image-deploy')],
      ['ecs:UpdateService', stack.arn('ecs', 'service/humangov-dev/humangov-dev-ca')],
    ];
    const decisions = [];
    for (const [action, resource] of requests) decisions.push(`${action}: ${await decideFor(role, { action, resource, context: {} }, '123456789012')}`);

    expect(decisions).toEqual([
      ...requests.slice(0, 6).map(([action]) => `${action}: Allowed`),
      ...requests.slice(6).map(([action]) => `${action}: ImplicitlyDenied`),
    ]);
  });
});

describe('packaged template: status API', () => {
  const routes = [
    'GET /',
    'GET /health',
    'GET /tenants',
    'POST /tenants',
    'GET /tenants/{id}',
    'PATCH /tenants/{id}',
    'DELETE /tenants/{id}',
    'POST /tenants/{id}/retry',
    'POST /tenants/{id}/restore',
    'GET /deployments',
    'GET /deployments/{id}',
    'ANY /{proxy+}',
  ];

  it('has every route of the design, each requiring SigV4 (AWS_IAM)', () => {
    const found = resources('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey, r.Properties.AuthorizationType]);
    expect(found.map(([key]) => key).sort()).toEqual([...routes].sort());
    for (const [key, auth] of found) labelled(String(key), () => expect(auth).toBe('AWS_IAM'));
  });
});

describe('packaged template: containers and network', () => {
  it('keeps release images immutable, scanned on push, with a lifecycle policy', () => {
    const repo = resource('AppRepository').Properties;
    expect(repo).toMatchObject({ RepositoryName: 'humangov-dev-app', ImageTagMutability: 'IMMUTABLE', ImageScanningConfiguration: { ScanOnPush: true } });
    const lifecycle = JSON.parse((repo.LifecyclePolicy as { LifecyclePolicyText: string }).LifecyclePolicyText);
    expect(lifecycle.rules.length).toBeGreaterThan(0);
  });

  it('runs a Fargate cluster with Container Insights', () => {
    expect(resource('Cluster').Properties).toMatchObject({
      ClusterName: 'humangov-dev',
      CapacityProviders: expect.arrayContaining(['FARGATE']),
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('puts public subnets in two different availability zones, named by zone ID', () => {
    const zones = resources('AWS::EC2::Subnet').map(([, s]) => JSON.stringify(s.Properties.AvailabilityZoneId));
    expect(zones.length).toBeGreaterThanOrEqual(2);
    expect(new Set(zones).size).toBe(zones.length);
    for (const [, subnet] of resources('AWS::EC2::Subnet')) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(true);
  });

  it('creates the load balancer only once the internet gateway is attached and its access-log bucket lets it write', () => {
    expect((resource('LoadBalancer') as Resource & { DependsOn?: unknown }).DependsOn).toEqual(['InternetGatewayAttachment', 'AccessLogsBucketPolicy']);
  });

  it("logs every request to the stage's bucket, which lets in only the region's Elastic Load Balancing account, in the region's partition", () => {
    expect(resource('LoadBalancer').Properties.LoadBalancerAttributes).toEqual(
      expect.arrayContaining([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: 'AccessLogsBucket' } },
        { Key: 'access_logs.s3.prefix', Value: 'alb' },
      ]),
    );
    expect(resource('AccessLogsBucket').Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    const [statement] = (resource('AccessLogsBucketPolicy').Properties.PolicyDocument as { Statement: Json[] }).Statement;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Action: 's3:PutObject',
      // us-east-1's account, from "Enable access logs for your Application Load Balancer".
      Principal: {
        'Fn::If': [
          'HasElbAccountId',
          { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::127311923021:root' } },
          { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
        ],
      },
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${AccessLogsBucket}/alb/AWSLogs/${AWS::AccountId}/*' },
    });
  });

  it('requests its own wildcard certificate, validated by DNS in the hosted zone, when given a zone and no certificate', () => {
    expect(resource('TenantCertificate')).toMatchObject({
      Condition: 'MakesCertificate',
      Properties: { ValidationMethod: 'DNS', DomainValidationOptions: [{ HostedZoneId: expect.anything() }] },
    });
    expect(JSON.stringify(resource('HttpsListener').Properties.Certificates)).toContain('"Fn::If":["MakesCertificate",{"Ref":"TenantCertificate"}');
  });

  it('answers unknown hosts with a 404 and adds HTTPS when a certificate is given', () => {
    const http = resource('HttpListener').Properties;
    expect(JSON.stringify(http.DefaultActions)).toContain('"StatusCode":"404"');
    const https = resource('HttpsListener');
    expect(https.Condition).toBe('HasCertificate');
    expect(https.Properties).toMatchObject({ Port: 443, Protocol: 'HTTPS' });
    expect(resource('LoadBalancer').Properties.Subnets).toHaveLength(2);
  });

  it('lets tasks accept traffic only from the load balancer', () => {
    const ingress = resource('TaskSecurityGroup').Properties.SecurityGroupIngress as Json[];
    expect(ingress).toEqual([{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: { Ref: 'AlbSecurityGroup' } }]);
  });
});

describe('packaged template: secrets', () => {
  const environments = () => resources('AWS::Lambda::Function').map(([id, fn]) => [id, (fn.Properties.Environment as { Variables: Json }).Variables] as const);

  it('generates a stack secret that no template or tag holds the value of', () => {
    const [[, secret]] = resources('AWS::SecretsManager::Secret') as [[string, Resource]];
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(JSON.stringify(template)).not.toContain('AWS::StackId');
  });

  it('tells only the tenant-access function where the stack secret is, and puts no secret in any environment', () => {
    for (const [id, variables] of environments()) {
      labelled(id, () => expect(Object.keys(variables)).not.toContain('CSRF_SECRET_SEED'));
      labelled(id, () => expect(Object.keys(variables).includes('STACK_SECRET_ARN')).toBe(id === 'TenantAccessLambdaFunction'));
    }
    expect(Object.fromEntries(environments()).TenantAccessLambdaFunction?.STACK_SECRET_ARN).toEqual({ Ref: 'StackSecret' });
  });

  it("lets ECS read only this stage's tenant secrets when it starts a task", () => {
    const policy = JSON.stringify(resource('TaskExecutionRole').Properties.Policies);
    expect(policy).toContain('"Action":"secretsmanager:GetSecretValue"');
    expect(policy).toContain(':secret:humangov/dev/tenants/*');
    expect(policy).not.toContain('StackSecret');
  });
});

describe('packaged template: alarms', () => {
  const alarms = () => resources('AWS::CloudWatch::Alarm').map(([id, alarm]) => ({ id, ...alarm.Properties }) as Json & { id: string });
  const dimensions = (alarm: Json) => Object.fromEntries((alarm.Dimensions as { Name: string; Value: unknown }[]).map((d) => [d.Name, d.Value]));
  /** The alarm on `metric` of `namespace` whose dimensions are exactly `expected`. */
  const alarmOn = (namespace: string, metric: string, expected: Json) => {
    const found = alarms().filter((a) => a.Namespace === namespace && a.MetricName === metric && JSON.stringify(dimensions(a)) === JSON.stringify(expected));
    labelled(`one alarm on ${namespace} ${metric} ${JSON.stringify(expected)}`, () => expect(found).toHaveLength(1));
    return found[0]!;
  };
  const onAnyOccurrence = { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' };

  it('notifies one SNS topic of every alarm, going off and clearing, and subscribes the alarm email only when one is given', () => {
    expect(resource('AlarmTopic').Type).toBe('AWS::SNS::Topic');
    expect(alarms().length).toBeGreaterThanOrEqual(12);
    for (const alarm of alarms()) {
      labelled(alarm.id, () => expect(alarm).toMatchObject({ AlarmActions: [{ Ref: 'AlarmTopic' }], OKActions: [{ Ref: 'AlarmTopic' }] }));
    }
    const subscription = resource('AlarmEmailSubscription');
    expect(subscription).toMatchObject({ Condition: 'HasAlarmEmail', Properties: { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email' } });
    // The dev stage gives no address: the condition compares the empty setting with ''.
    expect(template.Conditions.HasAlarmEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it.each([
    ['TenantOnboardStateMachine', 'tenant-onboard'],
    ['TenantOffboardStateMachine', 'tenant-offboard'],
    ['ImageDeployStateMachine', 'image-deploy'],
  ])('goes off on any failed, timed-out or aborted execution of %s', (machine, name) => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      const alarm = alarmOn('AWS/States', metric, { StateMachineArn: { Ref: machine } });
      labelled(`${name} ${metric}`, () =>
        expect(alarm).toMatchObject({ ...onAnyOccurrence, Statistic: 'Sum', AlarmName: expect.stringContaining(`humangov-dev-${name}-`) }),
      );
    }
  });

  it("goes off while a tenant change waits in the stream's failure queue", () => {
    const alarm = alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: { 'Fn::GetAtt': ['StreamFailureQueue', 'QueueName'] } });
    expect(alarm).toMatchObject({ ...onAnyOccurrence, Statistic: 'Maximum' });
    // The queue the alarm watches is the one the stream's event source mapping sends failures to.
    const [[, mapping]] = resources('AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(JSON.stringify(mapping.Properties.DestinationConfig)).toContain('"StreamFailureQueue"');
  });

  it("goes off on the status API's server errors, with the metric and dimensions of an HTTP API's stage", () => {
    const [[apiId, api]] = resources('AWS::ApiGatewayV2::Api') as [[string, Resource]];
    const [[, stage]] = resources('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    // An HTTP API reports `5xx` by ApiId and Stage; a REST API's 5XXError by ApiName would never have data here.
    expect(api.Properties.ProtocolType).toBe('HTTP');
    expect(stage.Properties.ApiId).toEqual({ Ref: apiId });
    const alarm = alarmOn('AWS/ApiGateway', '5xx', { ApiId: { Ref: apiId }, Stage: stage.Properties.StageName });
    expect(alarm).toMatchObject({ ...onAnyOccurrence, Statistic: 'Sum' });
  });

  it("goes off when any tenant's target group of the load balancer has had an unhealthy target for 5 minutes", () => {
    const alarm = resource('UnhealthyTargetsAlarm').Properties;
    const [query] = alarm.Metrics as { Expression: { 'Fn::Sub': [string, Json] }; Period: number; ReturnData: boolean }[];
    expect(alarm.Metrics).toHaveLength(1);
    const [text, values] = query!.Expression['Fn::Sub'];
    expect(text).toBe(
      `SELECT MAX(UnHealthyHostCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, TargetGroup) WHERE LoadBalancer = '\${LoadBalancerFullName}'`,
    );
    // The ALB metrics name the load balancer by its full name, app/<name>/<id>.
    expect(values).toEqual({ LoadBalancerFullName: { 'Fn::GetAtt': ['LoadBalancer', 'LoadBalancerFullName'] } });
    expect(query!.ReturnData).toBe(true);
    expect(query!.Period * Number(alarm.EvaluationPeriods)).toBe(300);
    expect(alarm).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      DatapointsToAlarm: alarm.EvaluationPeriods,
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('packaged template: one CPU architecture', () => {
  it('runs the functions on arm64 and the tasks on ARM64, and the README builds the image for linux/arm64', async () => {
    for (const [id, fn] of resources('AWS::Lambda::Function')) labelled(id, () => expect(fn.Properties.Architectures).toEqual(['arm64']));
    expect(CPU_ARCHITECTURE).toBe('ARM64');
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const builds = readme.split('\n').filter((line) => /docker (buildx )?build /.test(line));
    expect(builds.length).toBeGreaterThan(0);
    for (const line of builds) labelled(line, () => expect(line).toMatch(/--platform linux\/arm64\b/));
  });
});

describe('packaged template: least privilege and operations', () => {
  // Actions AWS authorises only on "*" (no resource-level permissions), so "*" is the narrowest possible.
  const STAR_ONLY = new Set([
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
    'ecr:GetAuthorizationToken',
    'dynamodb:ListStreams',
    'ecs:DeregisterTaskDefinition',
    'ecs:DescribeTaskDefinition',
    'ecs:ListTaskDefinitions',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetHealth',
    'elasticloadbalancing:DescribeRules',
    'elasticloadbalancing:DescribeTags',
    'elasticloadbalancing:DescribeTargetGroupAttributes',
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ]);

  const statements = () =>
    resources('AWS::IAM::Role').flatMap(([id, role]) =>
      ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) =>
        p.PolicyDocument.Statement.map((statement) => ({ role: id, statement })),
      ),
    );

  it('gives every function a role of its own', () => {
    const functions = resources('AWS::Lambda::Function');
    const roles = functions.map(([, f]) => JSON.stringify(f.Properties.Role));
    expect(functions.length).toBe(10);
    expect(new Set(roles).size).toBe(functions.length);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('grants no wildcard action, and "*" resources only for actions AWS cannot scope', () => {
    for (const { role, statement } of statements()) {
      for (const action of list(statement.Action)) {
        labelled(role, () => expect(action).not.toMatch(/\*/));
        if (list(statement.Resource).includes('*')) labelled(`${role}: ${action} on "*"`, () => expect(STAR_ONLY.has(action)).toBe(true));
      }
    }
  });

  it('lets ECS receive only tenant task roles and the execution role', () => {
    const passRole = statements().filter(({ statement }) => list(statement.Action).includes('iam:PassRole'));
    expect(passRole.length).toBeGreaterThan(0);
    for (const { statement } of passRole) {
      expect(statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
      expect(JSON.stringify(statement.Resource)).toContain('role/humangov-dev-*-task');
    }
  });

  it('sets a retention on every log group', () => {
    const groups = resources('AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(10);
    for (const [id, group] of groups) labelled(id, () => expect(group.Properties.RetentionInDays).toBeGreaterThan(0));
  });

  it('bundles each function on its own, on the nodejs24.x runtime', () => {
    for (const [id, fn] of resources('AWS::Lambda::Function')) {
      labelled(id, () => expect(fn.Properties.Runtime).toBe('nodejs24.x'));
      expect(artifacts).toContain(
        String((fn.Properties.Code as { S3Key: string }).S3Key)
          .split('/')
          .at(-1),
      );
    }
  });

  it('needs no network to resolve the account id', async () => {
    const text = await readFile(join(root, 'serverless.yml'), 'utf8');
    expect(text).not.toContain('${aws:accountId}');
  });
});
