/**
 * A fleet for the image-deploy workflow: ACTIVE tenants on the fake cloud,
 * the tenants and deployments tables on dynalite, and
 * statemachines/image-deploy.asl.json run by the WorkflowRunner with the real
 * step handlers. Besides running a deployment, it answers what a person would
 * look at (outcomes, the digest each tenant serves, the services updated) and
 * what the tenants table was asked for, and can lose the answer to a write.
 */
import './quiet-logs.ts';
import { CreateTableCommand, InternalServerError } from '@aws-sdk/client-dynamodb';
import { expect } from '@jest/globals';
import { makeHandler as makeRecordHandler } from '../../functions/steps/deployment-record.ts';
import { makeHandler as makeReleaseHandler } from '../../functions/steps/tenant-release.ts';
import { makeHandler as accessHandler } from '../../functions/steps/tenant-access.ts';
import { makeHandler as computeHandler } from '../../functions/steps/tenant-compute.ts';
import { makeHandler as dataHandler } from '../../functions/steps/tenant-data.ts';
import { makeHandler as networkHandler } from '../../functions/steps/tenant-network.ts';
import { makeHandler as recordHandler } from '../../functions/steps/tenant-record.ts';
import type { DeployDeps } from '../../src/workflows/image-deploy/deps.ts';
import { deploymentIdFor } from '../../src/deployments/event.ts';
import { DeploymentRepository } from '../../src/deployments/repository.ts';
import type { Deployment, TenantOutcome } from '../../src/deployments/schema.ts';
import { DEPLOYMENTS_TABLE_DEFINITION } from '../../src/deployments/table.ts';
import { tenantResourceNames } from '../../src/tenants/names.ts';
import type { TenantRepository } from '../../src/tenants/repository.ts';
import type { TenantRecord } from '../../src/tenants/schema.ts';
import { WorkflowRunner, type ExecutionEvent, type StepHandler, type StepHandlers } from '../../src/local/workflows/runner.ts';
import { FakeCloud } from './fake-cloud.ts';
import { seedServingTenant } from './serving-tenant.ts';
import { startTenantsTable, type TestTenantsTable } from './tenants-table.ts';
import { InMemoryMetrics } from '../../src/local/metrics.ts';

export function digest(fill: string): string {
  return `sha256:${fill.repeat(64)}`;
}

let eventSeq = 0;

/** An ECR push event as EventBridge delivers it. */
export function pushEvent(imageDigest: string, options: { time?: string; tag?: string } = {}) {
  eventSeq += 1;
  return {
    version: '0',
    id: `0000000${eventSeq}-aaaa-bbbb-cccc-${String(eventSeq).padStart(12, '0')}`,
    'detail-type': 'ECR Image Action',
    source: 'aws.ecr',
    account: '123456789012',
    time: options.time ?? new Date(Date.UTC(2025, 0, 1, 0, 0, eventSeq)).toISOString().replace('.000', ''),
    region: 'us-east-1',
    resources: [],
    detail: { result: 'SUCCESS', 'repository-name': 'humangov-app', 'image-digest': imageDigest, 'action-type': 'PUSH', 'image-tag': options.tag ?? 'v2.0.0' },
  };
}

export type PushEvent = ReturnType<typeof pushEvent>;

export interface ExecutionObserver {
  onEvent: (event: ExecutionEvent) => void;
  wrap: (handlers: StepHandlers) => StepHandlers;
}

/** One call to the tenants table about one tenant: the command and, for a write, what it was for. */
interface TenantTableCall {
  tenantId: string;
  command: string;
  /** The status the write set; else "lease" (taking or renewing it) or "unlock" (giving it back alone). */
  purpose?: string;
}

/** A fleet of ACTIVE tenants on the fake cloud, both tables on dynalite, and the state machine with the real handlers. */
export class DeployFleet {
  readonly cloud = new FakeCloud({ rolloutPolls: 2 });
  readonly table: TestTenantsTable;
  readonly tenants: TenantRepository;
  readonly deployments: DeploymentRepository;
  readonly #handlers: Record<string, StepHandler>;
  /** tenant-onboard's Task states, on the same cloud and tables. */
  readonly #tenantHandlers: Record<string, StepHandler>;
  /** Rollout steps (`<tenantId> <action>`) that wait until the promise settles. */
  readonly #held = new Map<string, Promise<unknown>>();
  /** tenant-onboard's actions as run ("record.acquireLock"; failed ones end in "!"). */
  readonly onboardActions: string[] = [];
  readonly #runner = new WorkflowRunner();
  #mark = 0;
  readonly #tableCalls: TenantTableCall[] = [];
  /** Tenants whose first write of each kind (the lease, then each status) has its answer lost. */
  readonly #losing = new Map<string, Set<string>>();

  private constructor(table: TestTenantsTable, deploymentsTable: string) {
    this.table = table;
    this.tenants = table.repository();
    this.deployments = new DeploymentRepository(table.db, deploymentsTable);
    const deps: DeployDeps = {
      cloud: this.cloud,
      tenants: this.tenants,
      deployments: this.deployments,
      releases: this.deployments,
      now: () => new Date(),
      metrics: new InMemoryMetrics(),
    };
    const release = makeReleaseHandler(deps) as unknown as StepHandler;
    this.#handlers = {
      DeploymentRecordFunctionArn: makeRecordHandler(deps) as unknown as StepHandler,
      TenantReleaseFunctionArn: async (input) => {
        const { tenantId, action } = input as { tenantId?: unknown; action?: unknown };
        await this.#held.get(`${String(tenantId)} ${String(action)}`);
        return release(input);
      },
    };
    const stepDeps = { ...deps, releases: this.deployments };
    const traced =
      (fn: string, handler: unknown): StepHandler =>
      async (input) => {
        const action = `${fn}.${String((input as { action?: unknown }).action)}`;
        try {
          const result = await (handler as StepHandler)(input);
          this.onboardActions.push(action);
          return result;
        } catch (error) {
          this.onboardActions.push(`${action}!`);
          throw error;
        }
      };
    this.#tenantHandlers = {
      TenantRecordFunctionArn: traced('record', recordHandler(stepDeps)),
      TenantDataFunctionArn: traced('data', dataHandler(stepDeps)),
      TenantAccessFunctionArn: traced('access', accessHandler(stepDeps)),
      TenantComputeFunctionArn: traced('compute', computeHandler(stepDeps)),
      TenantNetworkFunctionArn: traced('network', networkHandler(stepDeps)),
    };
    this.#watchTenantsTable();
  }

  static async start(): Promise<DeployFleet> {
    const table = await startTenantsTable();
    const name = 'humangov-test-deployments';
    await table.client.send(new CreateTableCommand({ TableName: name, ...DEPLOYMENTS_TABLE_DEFINITION, BillingMode: 'PAY_PER_REQUEST' }));
    return new DeployFleet(table, name);
  }

  async close(): Promise<void> {
    await this.table.close();
  }

  /** ACTIVE tenants serving `imageDigest`, as onboarding leaves them. */
  async seed(ids: string[], imageDigest: string, options: { canary?: string } = {}): Promise<void> {
    for (const id of ids) {
      const service = await seedServingTenant(this.cloud, this.tenants, id, imageDigest, { canary: options.canary === id });
      while ((await this.cloud.compute.describeService(service))?.deployments[0]?.rolloutState !== 'COMPLETED');
    }
    this.#mark = this.cloud.script.calls.length;
    this.#tableCalls.length = 0;
  }

  input(event: unknown, options: { maxConcurrency?: number; failureThreshold?: number } = {}) {
    return { event, maxConcurrency: options.maxConcurrency ?? 50, failureThreshold: options.failureThreshold ?? 1 };
  }

  /** Runs the workflow; an observer sees every event and every step's result (test/conformance measures payloads so). */
  async run(input: unknown, name: string, observer?: ExecutionObserver): Promise<unknown> {
    const handlers = observer ? observer.wrap(this.#handlers) : this.#handlers;
    const execution = await this.#runner.start('image-deploy', input, { handlers, name, timeScale: 0.001, minDelayMs: 1, onEvent: observer?.onEvent });
    try {
      return await execution.result;
    } finally {
      await execution.observed;
    }
  }

  /** Runs tenant-onboard for the tenant to its end, as the stream handler starts it for a change of its user fields. */
  async onboard(tenantId: string, name: string): Promise<unknown> {
    const execution = await this.#runner.start('tenant-onboard', { tenantId }, { handlers: this.#tenantHandlers, name, timeScale: 0.001, minDelayMs: 1 });
    return execution.result;
  }

  /** The rollout's `action` step for the tenant ("watchRollout", "checkTurn"...) waits until `until` settles. */
  holdRollout(tenantId: string, action: string, until: Promise<unknown>): void {
    this.#held.set(
      `${tenantId} ${action}`,
      until.catch(() => undefined),
    );
  }

  /** Runs the workflow for `event` to its end and returns the deployment it made. */
  async deploy(event: PushEvent, options: { maxConcurrency?: number; failureThreshold?: number; expectFailure?: string } = {}): Promise<Deployment> {
    const run = this.run(this.input(event, options), `deploy-${event.id}`);
    if (options.expectFailure) await expect(run).rejects.toMatchObject({ cause: { name: options.expectFailure } });
    else await run;
    return this.deployments.require(deploymentIdFor(event));
  }

  outcomes(deployment: Deployment): Record<string, TenantOutcome> {
    return Object.fromEntries(
      Object.values(deployment.results ?? {})
        .map((r) => [r.tenantId, r.outcome])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
  }

  /** The digest users of the tenant get: that of the task definition its service's completed deployment runs. */
  servedDigest(tenantId: string): string | undefined {
    return this.cloud.compute.servingTaskDefinition(`humangov-${tenantId}`)?.environment.APP_IMAGE?.split('@')[1];
  }

  taskDefinition(tenantId: string) {
    const served = this.cloud.compute.servingTaskDefinition(`humangov-${tenantId}`);
    if (!served) throw new Error(`humangov-${tenantId} serves nothing`);
    return served;
  }

  tenant(tenantId: string): Promise<TenantRecord | undefined> {
    return this.tenants.get(tenantId);
  }

  /** Services the workflow pointed at a task definition, in order (seeding excluded). */
  updatedServices(): string[] {
    return this.cloud.script.calls
      .slice(this.#mark)
      .filter((c) => c.op === 'compute.updateService' && c.ok)
      .map((c) => (c.args[0] as { name: string }).name);
  }

  /** The tenant's targets read unhealthy for the next `polls` checks (by default, all of one verification). */
  failVerification(tenantId: string, polls = 12): void {
    this.cloud.loadBalancer.unhealthyFor(tenantResourceNames(this.cloud.platform.stage, tenantId, this.cloud.platform.accountId).targetGroup, polls);
  }

  /** Calls to the tenants table about one tenant since seeding, in order ("UpdateItem lease", "UpdateItem ACTIVE", "GetItem"). */
  tenantTableCalls(tenantId: string): string[] {
    return this.#tableCalls.filter((c) => c.tenantId === tenantId).map((c) => (c.purpose ? `${c.command} ${c.purpose}` : c.command));
  }

  /**
   * The first write of each kind to the tenant's record (taking the lease,
   * then each status it is moved to) takes effect, but its answer is lost: the
   * step fails as on a dropped connection, and the state machine retries it.
   */
  loseFirstAnswers(tenantId: string): void {
    this.#losing.set(tenantId, new Set());
  }

  /** Records every call to the tenants table, and loses the answers loseFirstAnswers asked for. */
  #watchTenantsTable(): void {
    this.table.db.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as {
          TableName?: string;
          Key?: { tenantId?: unknown };
          UpdateExpression?: string;
          ExpressionAttributeValues?: Record<string, unknown>;
        };
        const tenantId = input.Key?.tenantId;
        if (input.TableName !== this.table.tableName || typeof tenantId !== 'string') return next(args);
        const call: TenantTableCall = { tenantId, command: (context.commandName ?? 'unknown').replace(/Command$/, ''), ...purposeOf(input) };
        this.#tableCalls.push(call);
        const result = await next(args);
        const lost = this.#losing.get(tenantId);
        if (lost && call.purpose && call.purpose !== 'unlock' && !lost.has(call.purpose)) {
          lost.add(call.purpose);
          throw new InternalServerError({ message: `the answer to ${call.command} ${call.purpose} of "${tenantId}" was lost`, $metadata: {} });
        }
        return result;
      },
      { step: 'initialize', name: 'deployFleetTenantsTable' },
    );
  }
}

function purposeOf(input: { UpdateExpression?: string; ExpressionAttributeValues?: Record<string, unknown> }): { purpose?: string } {
  const status = input.ExpressionAttributeValues?.[':status'];
  if (typeof status === 'string') return { purpose: status };
  if (input.ExpressionAttributeValues?.[':lock'] !== undefined) return { purpose: 'lease' };
  if (input.UpdateExpression === 'REMOVE #lock') return { purpose: 'unlock' };
  return {};
}
