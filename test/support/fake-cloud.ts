/**
 * An in-memory Cloud implementing every port of src/cloud/ports.ts with the
 * ports' own contract (ensure = idempotent create-or-converge, delete = "not
 * found" is done), for tests of workflows and steps. What it adds for tests:
 *
 * - `script.fail(op, {kind, times, after})`: scripted failures per operation
 *   (TransientCloudError N times, NotReadyError, PermanentCloudError, or after
 *   the call took effect, as a lost response);
 * - `script.calls` / `count(op)` / `ops()`: the call log; `script.created` and
 *   `script.deleted`: how many resources of each kind were really made/removed;
 * - `compute.rollBackNextDeployment()`: the ECS circuit breaker;
 * - `loadBalancer.unhealthyFor(targetGroup, K)`: targets unhealthy for K polls;
 * - simulated time: a deployment completes after `rolloutPolls` describeService calls.
 *
 * Usage: `const cloud = new FakeCloud({ rolloutPolls: 3 }); cloud.script.fail('compute.ensureService', { kind: 'transient', times: 2 });`
 */
import { NotReadyError, PermanentCloudError } from '../../src/cloud/errors.ts';
import type {
  AccessPort,
  BucketPort,
  BucketProtection,
  BucketSpec,
  Cloud,
  LogsPort,
  Platform,
  PolicyDocument,
  SecretSpec,
  SecretsPort,
  TablePort,
  TableProtection,
  TableSpec,
  TableState,
  Tags,
  TaskRoleSpec,
  WorkflowName,
  WorkflowPort,
} from '../../src/cloud/ports.ts';
import { FakeCompute, type FakeComputeOptions } from './fake-compute.ts';
import { FakeLoadBalancer, type FakeLoadBalancerOptions } from './fake-load-balancer.ts';
import { FakeScript } from './fake-script.ts';

export { FakeScript, type FakeOperation, type FakeCall, type ResourceKind, type ScriptedFailure } from './fake-script.ts';
export { FakeCompute } from './fake-compute.ts';
export { FakeLoadBalancer } from './fake-load-balancer.ts';

export const FAKE_PLATFORM: Platform = {
  stage: 'test',
  region: 'us-east-1',
  accountId: '123456789012',
  imageRepository: '123456789012.dkr.ecr.us-east-1.amazonaws.com/humangov-app',
  containerPort: 3000,
};

export interface FakeTable extends TableSpec {
  arn: string;
  status: TableState['status'];
  billingMode: 'PAY_PER_REQUEST';
  pointInTimeRecovery: boolean;
  deletionProtection: boolean;
  encrypted: boolean;
  /** ensureTable calls left that answer NotReadyError (the table is CREATING). */
  creatingPolls: number;
}

export interface FakeBucket extends BucketSpec {
  arn: string;
  publicAccessBlocked: boolean;
  encrypted: boolean;
  versioning: boolean;
  tlsOnly: boolean;
  ownershipEnforced: boolean;
  /** Object keys, so that purging can be seen to empty the bucket. */
  objects: Set<string>;
}

export interface FakeRole {
  roleName: string;
  arn: string;
  policy: PolicyDocument;
  tags: Tags;
}

export interface FakeExecution {
  workflow: WorkflowName;
  name: string;
  input: unknown;
  executionArn: string;
}

export interface FakeCloudOptions extends FakeComputeOptions, FakeLoadBalancerOptions {
  platform?: Partial<Platform>;
  /** ensureTable calls a new table stays CREATING for (default 0: ACTIVE at once). */
  tableCreatingPolls?: number;
}

export class FakeCloud implements Cloud {
  readonly script = new FakeScript();
  readonly platform: Platform;
  readonly tables: FakeTables;
  readonly buckets: FakeBuckets;
  readonly access: FakeAccess;
  readonly logs: FakeLogs;
  readonly compute: FakeCompute;
  readonly loadBalancer: FakeLoadBalancer;
  readonly secrets: FakeSecrets;
  readonly workflows: FakeWorkflows;

  constructor(options: FakeCloudOptions = {}) {
    this.platform = { ...FAKE_PLATFORM, ...options.platform };
    this.tables = new FakeTables(this.script, this.platform, options.tableCreatingPolls ?? 0);
    this.buckets = new FakeBuckets(this.script);
    this.access = new FakeAccess(this.script, this.platform);
    this.logs = new FakeLogs(this.script);
    this.compute = new FakeCompute(this.script, this.platform, options);
    this.loadBalancer = new FakeLoadBalancer(this.script, this.compute, this.platform, options);
    this.secrets = new FakeSecrets(this.script, this.platform);
    this.workflows = new FakeWorkflows(this.script, this.platform);
  }
}

export class FakeTables implements TablePort {
  readonly items = new Map<string, FakeTable>();
  readonly #script: FakeScript;
  readonly #platform: Platform;
  readonly #creatingPolls: number;

  constructor(script: FakeScript, platform: Platform, creatingPolls: number) {
    this.#script = script;
    this.#platform = platform;
    this.#creatingPolls = creatingPolls;
  }

  ensureTable(spec: TableSpec): Promise<TableState> {
    return this.#script.run('tables.ensureTable', [spec], () => {
      let table = this.items.get(spec.name);
      if (!table) {
        const arn = `arn:aws:dynamodb:${this.#platform.region}:${this.#platform.accountId}:table/${spec.name}`;
        table = {
          ...structuredClone(spec),
          arn,
          status: 'CREATING',
          billingMode: 'PAY_PER_REQUEST',
          pointInTimeRecovery: false,
          deletionProtection: true,
          encrypted: true,
          creatingPolls: this.#creatingPolls,
        };
        this.items.set(spec.name, table);
        this.#script.created.table++;
      }
      if (table.status === 'CREATING') {
        if (table.creatingPolls > 0) {
          table.creatingPolls -= 1;
          throw new NotReadyError(`table "${spec.name}" is CREATING; ask again shortly`);
        }
        table.status = 'ACTIVE';
      }
      requireSameKey(spec, table);
      table.pointInTimeRecovery = true;
      table.deletionProtection = true;
      table.tags = { ...spec.tags };
      return { name: table.name, arn: table.arn, status: table.status };
    });
  }

  deleteTable(name: string): Promise<void> {
    return this.#script.run('tables.deleteTable', [name], () => {
      // As DynamoDB does, a table still being created cannot be deleted yet: ask again shortly.
      const table = this.items.get(name);
      if (table?.status === 'CREATING' && table.creatingPolls > 0) {
        table.creatingPolls -= 1;
        throw new NotReadyError(`table "${name}" is CREATING; it can be deleted once it is ACTIVE`);
      }
      // The port lifts deletion protection itself before deleting.
      if (this.items.delete(name)) this.#script.deleted.table++;
    });
  }

  describeTable(name: string): Promise<TableProtection | undefined> {
    return this.#script.run('tables.describeTable', [name], () => {
      const table = this.items.get(name);
      return table && { name, status: table.status, deletionProtection: table.deletionProtection, pointInTimeRecovery: table.pointInTimeRecovery };
    });
  }
}

/** A table's key cannot change in place: the providers refuse an existing table keyed otherwise. */
function requireSameKey(spec: TableSpec, table: FakeTable): void {
  const key = (t: TableSpec) => JSON.stringify(t.definition.KeySchema.map((k) => [k.AttributeName, k.KeyType]));
  if (key(spec) !== key(table)) {
    throw new PermanentCloudError(
      `table ${spec.name} exists with key ${key(table)}, not ${key(spec)}; a key cannot change in place: move the data and delete the table, or use another name`,
    );
  }
}

export class FakeBuckets implements BucketPort {
  readonly items = new Map<string, FakeBucket>();
  readonly #script: FakeScript;

  constructor(script: FakeScript) {
    this.#script = script;
  }

  ensureBucket(spec: BucketSpec): Promise<{ name: string; arn: string }> {
    return this.#script.run('buckets.ensureBucket', [spec], () => {
      // S3 refuses other names (InvalidBucketName): https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(spec.name) || spec.name.includes('..')) {
        throw new PermanentCloudError(`"${spec.name}" is not a valid bucket name (3 to 63 of a-z, 0-9, dots and hyphens, no two dots in a row)`);
      }
      let bucket = this.items.get(spec.name);
      if (!bucket) {
        bucket = {
          ...structuredClone(spec),
          arn: `arn:aws:s3:::${spec.name}`,
          publicAccessBlocked: true,
          encrypted: true,
          versioning: true,
          tlsOnly: true,
          ownershipEnforced: true,
          objects: new Set(),
        };
        this.items.set(spec.name, bucket);
        this.#script.created.bucket++;
      }
      // An existing bucket is brought to the spec: whatever was turned off is on again.
      Object.assign(bucket, { publicAccessBlocked: true, encrypted: true, versioning: true, tlsOnly: true, ownershipEnforced: true });
      bucket.tags = { ...spec.tags };
      return { name: bucket.name, arn: bucket.arn };
    });
  }

  deleteBucket(name: string): Promise<void> {
    return this.#script.run('buckets.deleteBucket', [name], () => {
      const bucket = this.items.get(name);
      if (!bucket) return;
      bucket.objects.clear();
      this.items.delete(name);
      this.#script.deleted.bucket++;
    });
  }

  describeBucket(name: string): Promise<BucketProtection | undefined> {
    return this.#script.run('buckets.describeBucket', [name], () => {
      const bucket = this.items.get(name);
      return bucket && { name, versioning: bucket.versioning, publicAccessBlocked: bucket.publicAccessBlocked };
    });
  }
}

export class FakeAccess implements AccessPort {
  readonly roles = new Map<string, FakeRole>();
  readonly #script: FakeScript;
  readonly #platform: Platform;

  constructor(script: FakeScript, platform: Platform) {
    this.#script = script;
    this.#platform = platform;
  }

  ensureTaskRole(spec: TaskRoleSpec): Promise<{ arn: string }> {
    return this.#script.run('access.ensureTaskRole', [spec], () => {
      // IAM refuses other role names (ValidationError): https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
      if (!/^[\w+=,.@-]{1,64}$/.test(spec.roleName)) throw new PermanentCloudError(`"${spec.roleName}" is not a valid IAM role name`);
      let role = this.roles.get(spec.roleName);
      if (!role) {
        role = { ...structuredClone(spec), arn: `arn:aws:iam::${this.#platform.accountId}:role/${spec.roleName}` };
        this.roles.set(spec.roleName, role);
        this.#script.created.taskRole++;
      }
      role.policy = structuredClone(spec.policy);
      role.tags = { ...spec.tags };
      return { arn: role.arn };
    });
  }

  deleteTaskRole(roleName: string): Promise<void> {
    return this.#script.run('access.deleteTaskRole', [roleName], () => {
      if (this.roles.delete(roleName)) this.#script.deleted.taskRole++;
    });
  }
}

/**
 * Log group names and retentions CloudWatch Logs accepts:
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
const LOG_GROUP_NAME = /^(?!aws\/)[.\-_/#A-Za-z0-9]{1,512}$/;
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export class FakeLogs implements LogsPort {
  readonly groups = new Map<string, { name: string; retentionDays: number; tags: Tags }>();
  readonly #script: FakeScript;

  constructor(script: FakeScript) {
    this.#script = script;
  }

  ensureLogGroup(spec: { name: string; retentionDays: number; tags: Tags }): Promise<void> {
    return this.#script.run('logs.ensureLogGroup', [spec], () => {
      // What CloudWatch Logs refuses (InvalidParameterException), the providers refuse for good.
      if (!LOG_GROUP_NAME.test(spec.name)) throw new PermanentCloudError(`"${spec.name}" is not a valid log group name`);
      if (!LOG_RETENTION_DAYS.includes(spec.retentionDays))
        throw new PermanentCloudError(`${spec.retentionDays} days is not a retention CloudWatch Logs accepts`);
      if (!this.groups.has(spec.name)) this.#script.created.logGroup++;
      this.groups.set(spec.name, structuredClone(spec));
    });
  }

  deleteLogGroup(name: string): Promise<void> {
    return this.#script.run('logs.deleteLogGroup', [name], () => {
      if (this.groups.delete(name)) this.#script.deleted.logGroup++;
    });
  }
}

export class FakeSecrets implements SecretsPort {
  /** By name; `versions` counts the values stored, to prove that re-ensuring the same value adds none. */
  readonly items = new Map<string, SecretSpec & { arn: string; versions: number }>();
  stackValue = 'fake-stack-secret-0123456789abcdef0123456789abcdef0123456789abcdef';
  readonly #script: FakeScript;
  readonly #platform: Platform;

  constructor(script: FakeScript, platform: Platform) {
    this.#script = script;
    this.#platform = platform;
  }

  stackSecret(): Promise<string> {
    return this.#script.run('secrets.stackSecret', [], () => this.stackValue);
  }

  ensureSecret(spec: SecretSpec): Promise<{ arn: string }> {
    return this.#script.run('secrets.ensureSecret', [{ ...spec, value: '<redacted>' }], () => {
      let secret = this.items.get(spec.name);
      if (!secret) {
        const { region, accountId } = this.#platform;
        secret = { ...structuredClone(spec), arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${spec.name}-AbCdEf`, versions: 1 };
        this.items.set(spec.name, secret);
        this.#script.created.secret++;
      } else if (secret.value !== spec.value) {
        secret.value = spec.value;
        secret.versions += 1;
      }
      secret.tags = { ...spec.tags };
      return { arn: secret.arn };
    });
  }

  deleteSecret(name: string): Promise<void> {
    return this.#script.run('secrets.deleteSecret', [name], () => {
      if (this.items.delete(name)) this.#script.deleted.secret++;
    });
  }
}

export class FakeWorkflows implements WorkflowPort {
  readonly executions: FakeExecution[] = [];
  readonly #script: FakeScript;
  readonly #platform: Platform;

  constructor(script: FakeScript, platform: Platform) {
    this.#script = script;
    this.#platform = platform;
  }

  startExecution(request: { workflow: WorkflowName; name: string; input: unknown }): Promise<{ executionArn: string; started: boolean }> {
    return this.#script.run('workflows.startExecution', [request], () => {
      const existing = this.executions.find((e) => e.workflow === request.workflow && e.name === request.name);
      if (existing) return { executionArn: existing.executionArn, started: false };
      const { region, accountId, stage } = this.#platform;
      const executionArn = `arn:aws:states:${region}:${accountId}:execution:humangov-${stage}-${request.workflow}:${request.name}`;
      this.executions.push({ ...structuredClone(request), executionArn });
      return { executionArn, started: true };
    });
  }
}
