/**
 * The ports: everything a workflow step may ask of "the cloud". The AWS provider
 * (src/aws) and the local provider (src/local) each implement all of them.
 *
 * Contract shared by every `ensure*` method: idempotent. When the resource is
 * missing it is created; when it exists it is reused and brought to the spec;
 * when a concurrent create wins the race ("already exists") the winner's
 * resource is returned. Every `delete*` method treats "not found" as done.
 *
 * Errors: TransientCloudError (retry), NotReadyError (retry shortly),
 * PermanentCloudError (give up, with a message a person can act on), from ./errors.ts.
 */
import type { AttributeDefinition, GlobalSecondaryIndex, KeySchemaElement } from '@aws-sdk/client-dynamodb';

export type Tags = Record<string, string>;

/** Facts about the environment the provider runs in. */
export interface Platform {
  stage: string;
  region: string;
  /** 12 digits; the local provider uses 000000000000. */
  accountId: string;
  /** Where release images live: an ECR repository URI, or the local registry's name. */
  imageRepository: string;
  /** The port the app listens on inside its task. */
  containerPort: number;
  /** How the load balancer signs staff in, which each tenant's app is told; absent, the app asks nobody to sign in. */
  signIn?: PlatformSignIn;
}

export interface ListenerRuleSpec {
  tenantId: string;
  host: string;
  targetGroupArn: string;
  tags: Tags;
  signIn?: ListenerSignIn;
}

/**
 * How the tenant's rule signs staff in: with the stack's user pool (each state a group), or with
 * the state's own OIDC IdP, whose client secret is read from Secrets Manager when the rule is made.
 */
export type ListenerSignIn = { kind: 'user-pool' } | { kind: 'oidc'; issuer: string; clientId: string; clientSecretArn: string };

/** What a tenant's app needs to believe the load balancer's sign-in (the app's ALB_ARN, SIGN_IN_* variables). */
export interface PlatformSignIn {
  /** The load balancer whose signed `x-amzn-oidc-data` alone is believed. */
  loadBalancerArn: string;
  /** The issuer of the stack's user pool, where each state is a group; absent where there is none (AWS GovCloud (US) has no ALB Cognito sign-in). */
  issuer?: string;
  /**
   * Whether a tenant's own identityProvider is what its staff sign in with. The local provider's
   * identity provider stands in for every state's, so there it is false.
   */
  tenantIdentityProviders: boolean;
  /** Where the load balancer's public keys are, when not the region's documented endpoint (the local provider's). */
  publicKeyEndpoint?: string;
  /** The IdP's logout page, where sign-out ends its session. */
  signOutUrl?: string;
}

// ---------------------------------------------------------------- tables

/** Key schema and indexes of a tenant's table (the app's single definition, app/src/employees-table.ts). */
export interface TableDefinition {
  AttributeDefinitions: AttributeDefinition[];
  KeySchema: KeySchemaElement[];
  GlobalSecondaryIndexes?: GlobalSecondaryIndex[];
}

export interface TableSpec {
  name: string;
  definition: TableDefinition;
  tags: Tags;
}

export interface TableState {
  name: string;
  arn: string;
  status: 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING' | 'ARCHIVED' | 'ARCHIVING' | 'INACCESSIBLE_ENCRYPTION_CREDENTIALS' | 'REPLICATION_NOT_AUTHORIZED';
}

/** What the reconciler checks of a tenant's table: the protections ensureTable puts on it. */
export interface TableProtection {
  name: string;
  status: TableState['status'];
  deletionProtection: boolean;
  pointInTimeRecovery: boolean;
}

export interface TablePort {
  /**
   * Creates the table on demand (PAY_PER_REQUEST), encrypted, with deletion
   * protection; once ACTIVE, ensures point-in-time recovery and tags.
   * Throws NotReadyError while the table is still being created.
   */
  ensureTable(spec: TableSpec): Promise<TableState>;
  /** Lifts deletion protection, then deletes. */
  deleteTable(name: string): Promise<void>;
  /** The table's status and protections; undefined when there is no such table. */
  describeTable(name: string): Promise<TableProtection | undefined>;
}

// ---------------------------------------------------------------- buckets

export interface BucketSpec {
  name: string;
  tags: Tags;
}

/**
 * What the reconciler checks of a tenant's bucket: the protections ensureBucket puts on it that
 * can be turned off. (Encryption cannot: S3 encrypts every bucket with SSE-S3 at least,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html.)
 */
export interface BucketProtection {
  name: string;
  versioning: boolean;
  /** All four settings of the bucket's public access block on. */
  publicAccessBlocked: boolean;
}

export interface BucketPort {
  /**
   * Creates the bucket with public access blocked, default encryption,
   * versioning, object ownership enforced, a TLS-only bucket policy and tags.
   */
  ensureBucket(spec: BucketSpec): Promise<{ name: string; arn: string }>;
  /** Removes every object version and delete marker, then the bucket. */
  deleteBucket(name: string): Promise<void>;
  /** The bucket's protections; undefined when there is no such bucket. */
  describeBucket(name: string): Promise<BucketProtection | undefined>;
}

// ---------------------------------------------------------------- access (IAM)

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface TaskRoleSpec {
  roleName: string;
  /** The inline policy, built by the domain (src/tenants/task-role-policy.ts). */
  policy: PolicyDocument;
  tags: Tags;
}

export interface AccessPort {
  /**
   * A role ECS tasks can assume, with exactly `policy` inline (any other policy is removed).
   * IAM is eventually consistent: the role may not be assumable for some seconds, so ECS calls
   * that pass it surface NotReadyError and are retried.
   */
  ensureTaskRole(spec: TaskRoleSpec): Promise<{ arn: string }>;
  /** Detaches and deletes the inline policy, then the role. */
  deleteTaskRole(roleName: string): Promise<void>;
}

// ---------------------------------------------------------------- logs

export interface LogsPort {
  ensureLogGroup(spec: { name: string; retentionDays: number; tags: Tags }): Promise<void>;
  deleteLogGroup(name: string): Promise<void>;
}

// ---------------------------------------------------------------- compute (ECS Fargate)

export interface TaskDefinitionSpec {
  family: string;
  /** Always pinned by digest: `<repository>@sha256:...`. */
  image: string;
  cpu: number;
  memory: number;
  environment: Record<string, string>;
  /**
   * Variables whose values are secrets: variable name -> the secret's ARN (SecretsPort); none when
   * absent. The task definition holds only the ARN; ECS reads the value with the execution role
   * when a task starts, so the value is in no task definition and no control-plane environment.
   */
  secrets?: Record<string, string>;
  taskRoleArn: string;
  logGroup: string;
  tags: Tags;
}

export interface TaskDefinitionRef {
  arn: string;
  family: string;
  revision: number;
}

export interface ServiceSpec {
  name: string;
  taskDefinitionArn: string;
  desiredCount: number;
  targetGroupArn: string;
  tags: Tags;
}

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface ServiceDeploymentState {
  id: string;
  /** PRIMARY is the deployment ECS is converging to; ACTIVE ones are being replaced. */
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinitionArn: string;
  rolloutState: RolloutState;
  rolloutStateReason?: string;
  desiredCount: number;
  runningCount: number;
  failedTasks: number;
}

export interface ServiceState {
  name: string;
  arn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  runningCount: number;
  /** Newest first. */
  deployments: ServiceDeploymentState[];
}

export interface ServiceChange {
  serviceArn: string;
  /** The deployment to follow until its rollout state is COMPLETED or FAILED. */
  deploymentId: string;
  /** False when the service already matched the spec (no new deployment was started). */
  changed: boolean;
}

export interface ComputePort {
  /** Registers a revision, or returns the newest ACTIVE revision of the family when it already equals `spec`. */
  registerTaskDefinition(spec: TaskDefinitionSpec): Promise<TaskDefinitionRef>;
  describeTaskDefinition(arn: string): Promise<(TaskDefinitionSpec & TaskDefinitionRef) | undefined>;
  /**
   * Creates the service (Fargate, subnets in >= 2 AZs, circuit breaker with
   * rollback, minimum healthy 100 %, maximum 200 %, behind `targetGroupArn`),
   * or updates it to the spec's task definition and count.
   */
  ensureService(spec: ServiceSpec): Promise<ServiceChange>;
  /** Points an existing service at another task definition (deploy or rollback). */
  updateService(spec: { name: string; taskDefinitionArn: string }): Promise<ServiceChange>;
  describeService(name: string): Promise<ServiceState | undefined>;
  /** Scales to zero and deletes; the service is gone once describeService says INACTIVE or undefined. */
  deleteService(name: string): Promise<void>;
  /** Deregisters (and deletes) every revision of the family; returns how many. */
  deregisterTaskDefinitions(family: string): Promise<number>;
}

// ---------------------------------------------------------------- load balancer (ALB)

export interface TargetGroupSpec {
  name: string;
  tags: Tags;
}

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

export interface TargetHealth {
  id: string;
  port: number;
  zone: string;
  state: TargetHealthState;
  reason?: string;
}

export interface HealthProbe {
  status: number;
  body: unknown;
}

export interface LoadBalancerPort {
  /** Health check on /health with thresholds, deregistration delay, target type ip, the app's port. */
  ensureTargetGroup(spec: TargetGroupSpec): Promise<{ arn: string }>;
  /**
   * A host-header rule `<host>` -> target group, at a priority no other rule holds; with `signIn`,
   * it authenticates before it forwards (and `/health` alone answers without sign-in).
   */
  ensureListenerRule(spec: ListenerRuleSpec): Promise<{ arn: string; priority: number }>;
  describeTargetHealth(targetGroupArn: string): Promise<TargetHealth[]>;
  deleteListenerRule(tenantId: string): Promise<void>;
  deleteTargetGroup(name: string): Promise<void>;
  /** The host name the tenant is served under (`<tenantId>.<domain>`, locally `<tenantId>.localhost`). */
  hostFor(tenantId: string): string;
  /** The URL a person opens. */
  endpointFor(tenantId: string): string;
  /** GET /health through the load balancer, as a user's request would arrive. */
  probeHealth(tenantId: string): Promise<HealthProbe>;
}

// ---------------------------------------------------------------- secrets (Secrets Manager)

export interface SecretSpec {
  name: string;
  value: string;
  description: string;
  tags: Tags;
}

export interface SecretsPort {
  /** The stack's own secret, from which tenant secrets are derived. Read at run time and cached for minutes, never put in an environment. */
  stackSecret(): Promise<string>;
  /**
   * Creates the secret holding `value`, or brings an existing one to it (a new version only when
   * the value differs; a secret scheduled for deletion is restored first). Returns its ARN, which
   * is what a task definition's `secrets` name. A secret still being deleted surfaces NotReadyError.
   */
  ensureSecret(spec: SecretSpec): Promise<{ arn: string }>;
  /** Deletes at once, without a recovery window (tenant secrets can be derived again), so the name is free for the next onboarding. */
  deleteSecret(name: string): Promise<void>;
}

// ---------------------------------------------------------------- workflows (Step Functions)

export type WorkflowName = 'tenant-onboard' | 'tenant-offboard' | 'image-deploy';

export interface WorkflowPort {
  /**
   * Starts an execution under a deterministic name. Starting the same name with
   * the same input again is not an error and starts nothing new: it returns the
   * first execution (`started: false` where the service says so; Step Functions
   * answers a duplicate of a still-running execution as if it had just started it).
   */
  startExecution(request: { workflow: WorkflowName; name: string; input: unknown }): Promise<{ executionArn: string; started: boolean }>;
}

/** One provider: everything behind the ports. */
export interface Cloud {
  platform: Platform;
  tables: TablePort;
  buckets: BucketPort;
  access: AccessPort;
  logs: LogsPort;
  compute: ComputePort;
  loadBalancer: LoadBalancerPort;
  secrets: SecretsPort;
  workflows: WorkflowPort;
}
