/**
 * The AWS provider's settings, as the Lambda functions receive them in their environment
 * (serverless.yml, provider.environment). Read once at cold start: a missing or malformed
 * variable fails the function's initialisation with one message naming every problem.
 */
import type { WorkflowName } from '../cloud/ports.ts';
import { HumanGovError } from '../kernel/errors.ts';
import { stageProblem } from '../tenants/tenant-id.ts';

export const CONTAINER_PORT = 8080;

export interface AwsConfig {
  stage: string;
  region: string;
  accountId: string;
  /** ECR repository URI of the app's images. */
  imageRepository: string;
  clusterName: string;
  /** Public subnets in at least two AZs; tasks are spread over all of them. */
  subnetIds: string[];
  taskSecurityGroupId: string;
  vpcId: string;
  /** The ALB listener tenant rules are added to. */
  listenerArn: string;
  /** Lets ECS pull the image and write logs; the same for every tenant. */
  executionRoleArn: string;
  /** The managed policy every tenant task role carries as its permissions boundary (the most a tenant's tasks may ever do). */
  taskRoleBoundaryArn: string;
  /** Tenants are served at `<tenantId>.<tenantDomain>`. */
  tenantDomain: string;
  /** The ALB's own DNS name, which health probes connect to. */
  albDnsName: string;
  endpointScheme: 'http' | 'https';
  containerPort: number;
  /** Only the functions that start workflows need these. */
  stateMachineArns: Partial<Record<WorkflowName, string>>;
  /** The stack secret tenant secrets are derived from (STACK_SECRET_ARN); only the tenant-access function has it. */
  stackSecretArn?: string;
  /** LOAD_BALANCER_ARN: the ALB whose signed sign-in header each tenant's app believes. */
  loadBalancerArn?: string;
  /** USER_POOL_ARN, USER_POOL_DOMAIN, USER_POOL_ISSUER: the stack's user pool (each tenant gets an app client of its own); absent in AWS GovCloud (US). */
  userPool?: { arn: string; domain: string; issuer: string };
}

/** The function's environment lacks a setting or has a malformed one; fix the deployment. */
export class AwsConfigError extends HumanGovError {
  override name = 'AwsConfigError';
}

/** The variable that holds each workflow's state machine ARN. */
export const STATE_MACHINE_ENV: Record<WorkflowName, string> = {
  'tenant-onboard': 'ONBOARD_STATE_MACHINE_ARN',
  'tenant-offboard': 'OFFBOARD_STATE_MACHINE_ARN',
  'image-deploy': 'DEPLOY_STATE_MACHINE_ARN',
};

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

export function awsConfigFromEnv(env: Record<string, string | undefined>): AwsConfig {
  const missing: string[] = [];
  const problems: string[] = [];
  const read = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) missing.push(name);
    return value ?? '';
  };
  const check = (name: string, value: string, ok: boolean, expected: string): void => {
    if (value && !ok) problems.push(`${name}="${value}" must be ${expected}`);
  };

  const stage = read('STAGE');
  if (stage && stageProblem(stage)) problems.push(`STAGE: ${stageProblem(stage)}`);
  const region = read('AWS_REGION');
  check('AWS_REGION', region, /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region), 'a region such as us-east-1');
  const accountId = read('ACCOUNT_ID');
  check('ACCOUNT_ID', accountId, /^\d{12}$/.test(accountId), '12 digits');
  const imageRepository = read('IMAGE_REPOSITORY_URI');
  const clusterName = read('CLUSTER_NAME');
  const subnetList = read('SUBNET_IDS');
  const subnetIds = subnetList
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  check(
    'SUBNET_IDS',
    subnetList,
    subnetIds.length >= 2 && subnetIds.every((id) => /^subnet-[0-9a-f]+$/.test(id)),
    'at least two comma-separated subnet ids in different AZs (subnet-...)',
  );
  const taskSecurityGroupId = read('TASK_SECURITY_GROUP_ID');
  check('TASK_SECURITY_GROUP_ID', taskSecurityGroupId, /^sg-[0-9a-f]+$/.test(taskSecurityGroupId), 'a security group id (sg-...)');
  const vpcId = read('VPC_ID');
  check('VPC_ID', vpcId, /^vpc-[0-9a-f]+$/.test(vpcId), 'a VPC id (vpc-...)');
  const listenerArn = read('LISTENER_ARN');
  check(
    'LISTENER_ARN',
    listenerArn,
    /^arn:aws[a-z-]*:elasticloadbalancing:.+:listener\/app\//.test(listenerArn),
    'the ARN of an Application Load Balancer listener',
  );
  const executionRoleArn = read('EXECUTION_ROLE_ARN');
  check('EXECUTION_ROLE_ARN', executionRoleArn, /^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(executionRoleArn), 'an IAM role ARN');
  const taskRoleBoundaryArn = read('TASK_ROLE_BOUNDARY_ARN');
  check('TASK_ROLE_BOUNDARY_ARN', taskRoleBoundaryArn, /^arn:aws[a-z-]*:iam::\d{12}:policy\/.+/.test(taskRoleBoundaryArn), 'an IAM managed policy ARN');
  const tenantDomain = read('TENANT_DOMAIN');
  check('TENANT_DOMAIN', tenantDomain, HOST_NAME.test(tenantDomain), 'a DNS domain such as tenants.example.gov');
  const albDnsName = read('ALB_DNS_NAME');
  check('ALB_DNS_NAME', albDnsName, HOST_NAME.test(albDnsName), "the load balancer's DNS name");
  const endpointScheme = env.ENDPOINT_SCHEME?.trim() || 'https';
  check('ENDPOINT_SCHEME', endpointScheme, endpointScheme === 'http' || endpointScheme === 'https', 'http or https');

  const stateMachineArns: Partial<Record<WorkflowName, string>> = {};
  for (const [workflow, name] of Object.entries(STATE_MACHINE_ENV) as [WorkflowName, string][]) {
    const arn = env[name]?.trim();
    if (!arn) continue;
    check(name, arn, STATE_MACHINE_ARN.test(arn), 'a Step Functions state machine ARN');
    stateMachineArns[workflow] = arn;
  }

  const stackSecretArn = env.STACK_SECRET_ARN?.trim();
  if (stackSecretArn) check('STACK_SECRET_ARN', stackSecretArn, SECRET_ARN.test(stackSecretArn), 'a Secrets Manager secret ARN');

  const loadBalancerArn = env.LOAD_BALANCER_ARN?.trim();
  if (loadBalancerArn) {
    check(
      'LOAD_BALANCER_ARN',
      loadBalancerArn,
      /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[^/]+\/[0-9a-f]+$/.test(loadBalancerArn),
      'the ARN of an Application Load Balancer',
    );
  }
  const pool = ['USER_POOL_ARN', 'USER_POOL_DOMAIN', 'USER_POOL_ISSUER'].map((name) => env[name]?.trim() ?? '');
  if (pool.some(Boolean) && !pool.every(Boolean)) problems.push('USER_POOL_ARN, USER_POOL_DOMAIN and USER_POOL_ISSUER go together: set all three or none');
  const [poolArn = '', poolDomain = '', poolIssuer = ''] = pool;
  check(
    'USER_POOL_ARN',
    poolArn,
    /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+_[0-9a-zA-Z]+$/.test(poolArn),
    'the ARN of a Cognito user pool',
  );

  if (missing.length > 0) {
    problems.unshift(`missing environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new AwsConfigError(`AWS provider settings are incomplete: ${problems.join('; ')}. Set them in serverless.yml (provider.environment) and redeploy.`);
  }
  return {
    stage,
    region,
    accountId,
    imageRepository,
    clusterName,
    subnetIds,
    taskSecurityGroupId,
    vpcId,
    listenerArn,
    executionRoleArn,
    taskRoleBoundaryArn,
    tenantDomain,
    albDnsName,
    endpointScheme: endpointScheme as 'http' | 'https',
    containerPort: CONTAINER_PORT,
    stateMachineArns,
    ...(stackSecretArn ? { stackSecretArn } : {}),
    ...(loadBalancerArn ? { loadBalancerArn } : {}),
    ...(poolArn ? { userPool: { arn: poolArn, domain: poolDomain, issuer: poolIssuer } } : {}),
  };
}
