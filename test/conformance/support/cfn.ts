/**
 * The packaged template as CloudFormation would make it in one account and region: every
 * intrinsic function (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::Select, Fn::Split) and
 * pseudo parameter resolved to a concrete value, so policies can be simulated as IAM would
 * see them. Physical names and ARNs follow each resource type's documented return values
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html);
 * generated ids are fixed fakes.
 */
import { partitionOf } from '../../../src/cloud/arn.ts';

/** The parts of a packaged template that resolving it reads. */
export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Condition?: string; Metadata?: Record<string, unknown> }>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
  Parameters?: Record<string, { Default?: unknown }>;
}

export interface Deployment {
  region: string;
  accountId: string;
  stackName: string;
  /** Values of the template's conditions (default: as the template computes them from its parameters). */
  conditions?: Record<string, boolean>;
}

type Json = unknown;

const LB_ID = '50dc6c495c0c9188';
const LISTENER_IDS: Record<string, string> = { HttpListener: 'f2f7dc8efc522ab2', HttpsListener: 'a1b2c3d4e5f60718' };
const STREAM_LABEL = '2026-01-01T00:00:00.000';

export class ResolvedStack {
  readonly partition: string;
  readonly #template: CfnTemplate;
  readonly #deployment: Deployment;

  constructor(template: Record<string, unknown>, deployment: Deployment) {
    this.#template = template as unknown as CfnTemplate;
    this.#deployment = deployment;
    this.partition = partitionOf(deployment.region);
  }

  get region(): string {
    return this.#deployment.region;
  }

  get accountId(): string {
    return this.#deployment.accountId;
  }

  resources(type?: string): [string, { Type: string; Properties: Record<string, unknown> }][] {
    return Object.entries(this.#template.Resources).filter(([id, r]) => (!type || r.Type === type) && this.#exists(id));
  }

  resource(id: string): { Type: string; Properties: Record<string, unknown> } {
    const found = this.#template.Resources[id];
    if (!found) throw new Error(`the template has no resource ${id}`);
    return found;
  }

  /** `value` with every intrinsic function resolved. */
  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item)).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, Json>);
    if (entries.length === 1) {
      const [[key, arg]] = entries as [[string, Json]];
      if (key === 'Ref') return this.#ref(String(arg));
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return this.#getAtt(String(id), String(attribute));
      }
      if (key === 'Fn::Sub') return this.#sub(arg);
      if (key === 'Fn::Join') {
        const [separator, parts] = arg as [string, Json[]];
        return (this.resolve(parts) as Json[]).map(String).join(separator);
      }
      if (key === 'Fn::If') {
        const [condition, whenTrue, whenFalse] = arg as [string, Json, Json];
        return this.resolve(this.condition(condition) ? whenTrue : whenFalse);
      }
      if (key === 'Fn::Select') {
        const [index, list] = arg as [Json, Json];
        return (this.resolve(list) as Json[])[Number(this.resolve(index))];
      }
      if (key === 'Fn::Split') {
        const [separator, text] = arg as [string, Json];
        return String(this.resolve(text)).split(separator);
      }
      if (key.startsWith('Fn::')) throw new Error(`cannot resolve ${key} (add it to test/conformance/support/cfn.ts)`);
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(item)]).filter(([, item]) => item !== NO_VALUE));
  }

  condition(name: string): boolean {
    const given = this.#deployment.conditions?.[name];
    if (given !== undefined) return given;
    const definition = this.#template.Conditions?.[name];
    if (definition === undefined) throw new Error(`the template has no condition ${name}`);
    return this.#evaluate(definition);
  }

  #evaluate(expression: Json): boolean {
    const [[key, arg]] = Object.entries(expression as Record<string, Json>) as [[string, Json]];
    if (key === 'Fn::Not') return !this.#evaluate((arg as Json[])[0]);
    if (key === 'Fn::Equals') {
      const [a, b] = this.resolve(arg) as [Json, Json];
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if (key === 'Fn::And') return (arg as Json[]).every((item) => this.#evaluate(item));
    if (key === 'Fn::Or') return (arg as Json[]).some((item) => this.#evaluate(item));
    if (key === 'Condition') return this.condition(String(arg));
    throw new Error(`cannot evaluate condition function ${key}`);
  }

  #exists(id: string): boolean {
    const condition = this.#template.Resources[id]?.Condition;
    return condition === undefined || this.condition(condition);
  }

  arn(service: string, resource: string, options: { regional?: boolean; account?: boolean } = {}): string {
    const region = options.regional === false ? '' : this.region;
    const account = options.account === false ? '' : this.accountId;
    return `arn:${this.partition}:${service}:${region}:${account}:${resource}`;
  }

  #pseudo(name: string): Json {
    const { region, accountId, stackName } = this.#deployment;
    const pseudo: Record<string, Json> = {
      'AWS::Partition': this.partition,
      'AWS::Region': region,
      'AWS::AccountId': accountId,
      'AWS::StackName': stackName,
      'AWS::StackId': this.arn('cloudformation', `stack/${stackName}/00000000-aaaa-bbbb-cccc-000000000000`),
      'AWS::URLSuffix': this.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
      'AWS::NoValue': NO_VALUE,
    };
    if (!(name in pseudo)) throw new Error(`unknown pseudo parameter ${name}`);
    return pseudo[name];
  }

  #ref(name: string): Json {
    if (name.startsWith('AWS::')) return this.#pseudo(name);
    const parameter = this.#template.Parameters?.[name];
    if (parameter) return parameter.Default;
    const resource = this.resource(name);
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
      case 'AWS::ECS::Cluster':
      case 'AWS::ECR::Repository':
      case 'AWS::Logs::LogGroup':
        return this.#name(name);
      case 'AWS::Lambda::Function':
        return this.#name(name);
      case 'AWS::IAM::Role':
        return this.#name(name);
      case 'AWS::IAM::ManagedPolicy':
        return this.arn('iam', `policy/${this.#name(name)}`, { regional: false });
      case 'AWS::StepFunctions::StateMachine':
        return this.arn('states', `stateMachine:${this.#name(name)}`);
      case 'AWS::SecretsManager::Secret':
        // Ref gives the secret's ARN, whose name ends in a dash and six random characters.
        return this.arn('secretsmanager', `secret:${this.#name(name)}-AbCdEf`);
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.region}.${this.#pseudo('AWS::URLSuffix')}/${this.accountId}/${this.#name(name)}`;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
        return this.arn('elasticloadbalancing', `loadbalancer/app/${this.#name(name)}/${LB_ID}`);
      case 'AWS::ElasticLoadBalancingV2::Listener': {
        const lb = this.#getAtt(String((props.LoadBalancerArn as { Ref: string }).Ref), 'LoadBalancerName');
        return this.arn('elasticloadbalancing', `listener/app/${String(lb)}/${LB_ID}/${LISTENER_IDS[name] ?? '0000000000000000'}`);
      }
      case 'AWS::ApiGatewayV2::Api':
        return 'a1b2c3d4e5';
      case 'AWS::EC2::Subnet':
        return `subnet-${hexOf(name)}`;
      case 'AWS::EC2::SecurityGroup':
        return `sg-${hexOf(name)}`;
      case 'AWS::EC2::VPC':
        return `vpc-${hexOf(name)}`;
      case 'AWS::Cognito::UserPool':
        return `${this.region}_${hexOf(name).slice(0, 9)}`;
      default:
        return `${name.toLowerCase()}-0123456789abcdef`;
    }
  }

  #getAtt(id: string, attribute: string): Json {
    const resource = this.resource(id);
    const name = this.#name(id);
    const arns: Record<string, () => Json> = {
      'AWS::DynamoDB::Table.Arn': () => this.arn('dynamodb', `table/${name}`),
      'AWS::DynamoDB::Table.StreamArn': () => this.arn('dynamodb', `table/${name}/stream/${STREAM_LABEL}`),
      'AWS::Lambda::Function.Arn': () => this.arn('lambda', `function:${name}`),
      'AWS::IAM::Role.Arn': () => this.arn('iam', `role/${name}`, { regional: false }),
      'AWS::SQS::Queue.Arn': () => this.arn('sqs', name),
      'AWS::Logs::LogGroup.Arn': () => this.arn('logs', `log-group:${name}:*`),
      'AWS::ECR::Repository.Arn': () => this.arn('ecr', `repository/${name}`),
      'AWS::ECR::Repository.RepositoryUri': () => `${this.accountId}.dkr.ecr.${this.region}.${this.#pseudo('AWS::URLSuffix')}/${name}`,
      'AWS::ElasticLoadBalancingV2::LoadBalancer.LoadBalancerName': () => name,
      'AWS::ElasticLoadBalancingV2::LoadBalancer.DNSName': () => `${name}-1234567890.${this.region}.elb.${this.#pseudo('AWS::URLSuffix')}`,
      'AWS::ElasticLoadBalancingV2::LoadBalancer.CanonicalHostedZoneID': () => 'Z35SXDOTRQ7X7K',
      'AWS::StepFunctions::StateMachine.Arn': () => this.#ref(id),
      'AWS::Cognito::UserPool.Arn': () => this.arn('cognito-idp', `userpool/${String(this.#ref(id))}`),
      'AWS::Cognito::UserPool.ProviderURL': () => `https://cognito-idp.${this.region}.${this.#pseudo('AWS::URLSuffix')}/${String(this.#ref(id))}`,
    };
    const resolve = arns[`${resource.Type}.${attribute}`];
    if (!resolve) throw new Error(`cannot resolve Fn::GetAtt ${id}.${attribute} (${resource.Type}); add it to test/conformance/support/cfn.ts`);
    return resolve();
  }

  /** The physical name: the one the template gives, else one CloudFormation would generate. */
  #name(id: string): string {
    const props = this.resource(id).Properties ?? {};
    const key = NAME_PROPERTIES[this.resource(id).Type];
    const given = key ? props[key] : undefined;
    if (given !== undefined) return String(this.resolve(given));
    return `${this.#deployment.stackName}-${id}-ABCDEF123456`.slice(0, 64);
  }

  #sub(arg: Json): string {
    const [text, variables] = Array.isArray(arg) ? (arg as [string, Record<string, Json>]) : [String(arg), {}];
    // `${!Literal}` is the literal `${Literal}` (an IAM policy variable, say).
    const substituted = text.replace(/\$\{([^}!]+)\}/g, (_match, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      if (name.includes('.')) {
        const [id, attribute] = name.split('.') as [string, string];
        return String(this.#getAtt(id, attribute));
      }
      return String(this.#ref(name));
    });
    return substituted.replace(/\$\{!/g, '${');
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

/** A stable 17-digit hex id for a logical id, as EC2 ids look. */
function hexOf(id: string): string {
  let hash = 0x811c9dc5;
  for (const char of id) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `0${hash.toString(16).padStart(8, '0')}${((hash ^ 0xa5a5a5a5) >>> 0).toString(16).padStart(8, '0')}`.slice(0, 17);
}

const NAME_PROPERTIES: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::ECS::Cluster': 'ClusterName',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
};
