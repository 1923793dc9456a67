/**
 * Runs the tenant workflows as files (statemachines/*.asl.json) with
 * WorkflowRunner, every Task state mapped to the real function handler
 * (`makeHandler(deps)` of functions/steps/tenant-*.ts), the cloud faked at the
 * ports (FakeCloud) and the tenants table real (dynalite). Every action a
 * handler runs is traced, with the execution it ran for and how it ended.
 *
 * Test files must mock functions/lib/aws-deps.ts (the AWS composition root),
 * which the function modules import for their AWS `handler`.
 */
import './quiet-logs.ts';
import type { WorkflowName } from '../../src/cloud/ports.ts';
import type { ImageRef } from '../../src/tenants/schema.ts';
import type { TenantRepository } from '../../src/tenants/repository.ts';
import type { StepDeps } from '../../src/workflows/deps.ts';
import { WorkflowRunner, type StepHandler } from '../../src/local/workflows/runner.ts';
import { makeHandler as accessHandler } from '../../functions/steps/tenant-access.ts';
import { makeHandler as computeHandler } from '../../functions/steps/tenant-compute.ts';
import { makeHandler as dataHandler } from '../../functions/steps/tenant-data.ts';
import { makeHandler as networkHandler } from '../../functions/steps/tenant-network.ts';
import { makeHandler as recordHandler } from '../../functions/steps/tenant-record.ts';
import { FakeCloud, type FakeCloudOptions } from './fake-cloud.ts';
import { startTenantsTable, type TestTenantsTable } from './tenants-table.ts';
import { InMemoryMetrics } from '../../src/local/metrics.ts';

export const RELEASE_V1: ImageRef = { repository: 'humangov-app', tag: 'v1.0.0', digest: `sha256:${'a'.repeat(64)}` };
export const RELEASE_V2: ImageRef = { repository: 'humangov-app', tag: 'v1.1.0', digest: `sha256:${'b'.repeat(64)}` };

export interface TracedAction {
  execution: string;
  fn: string;
  action: string;
  /** The error's name when the action threw. */
  error?: string;
}

export interface ExecutionOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  /** The Fail state's Error and Cause. */
  error?: string;
  cause?: string;
  /** Actions run for this execution, in order ("record.acquireLock"...; failed ones end in "!"). */
  actions: string[];
}

export interface RunRequest {
  name?: string;
  /** How much of each wait and retry interval to keep (default 0.001: 15 s becomes 15 ms). */
  timeScale?: number;
}

type Hook = (action: string, input: Record<string, unknown>) => Promise<void> | void;

let executions = 0;

export class TenantWorkflowHarness {
  readonly cloud: FakeCloud;
  readonly table: TestTenantsTable;
  readonly tenants: TenantRepository;
  readonly trace: TracedAction[] = [];
  /** The release StepDeps.releases answers; undefined: nothing released yet. */
  release: ImageRef | undefined = RELEASE_V1;
  /** Added to the wall clock for the repository and the steps (lease expiry). */
  clockOffsetMs = 0;
  /** Runs before every action (`"compute.ensureService"`), e.g. to hold an execution at a point. */
  before: Hook | undefined;
  readonly deps: StepDeps;
  /** What the steps reported (src/workflows/kit/signals.ts). */
  readonly metrics = new InMemoryMetrics(() => new Date(Date.now() + this.clockOffsetMs));
  readonly #runner = new WorkflowRunner();
  readonly #handlers: Record<string, StepHandler>;

  private constructor(table: TestTenantsTable, cloudOptions: FakeCloudOptions) {
    const now = () => new Date(Date.now() + this.clockOffsetMs);
    this.table = table;
    this.tenants = table.repository(now);
    this.cloud = new FakeCloud(cloudOptions);
    this.deps = {
      cloud: this.cloud,
      tenants: this.tenants,
      releases: { currentRelease: async () => this.release, rollingOut: async () => undefined },
      now,
      metrics: this.metrics,
    };
    this.#handlers = {
      TenantRecordFunctionArn: this.#traced('record', recordHandler(this.deps)),
      TenantDataFunctionArn: this.#traced('data', dataHandler(this.deps)),
      TenantAccessFunctionArn: this.#traced('access', accessHandler(this.deps)),
      TenantComputeFunctionArn: this.#traced('compute', computeHandler(this.deps)),
      TenantNetworkFunctionArn: this.#traced('network', networkHandler(this.deps)),
    };
  }

  /** Deleted services drain for 2 polls by default, so the wait loops run at least once. */
  static async start(cloudOptions: FakeCloudOptions = {}): Promise<TenantWorkflowHarness> {
    return new TenantWorkflowHarness(await startTenantsTable(), { drainPolls: 2, ...cloudOptions });
  }

  /** Starts an execution; `outcome` settles with how it ended (it never rejects). */
  async start(
    workflow: WorkflowName,
    input: unknown,
    request: RunRequest = {},
  ): Promise<{ name: string; abort: () => void; outcome: Promise<ExecutionOutcome> }> {
    const name = request.name ?? `${workflow}-${++executions}`;
    const running = await this.#runner.start(workflow, input, { handlers: this.#handlers, name, timeScale: request.timeScale ?? 0.001, minDelayMs: 1 });
    const actions = () => this.trace.filter((t) => t.execution === name).map((t) => `${t.fn}.${t.action}${t.error ? '!' : ''}`);
    const outcome = running.result.then(
      (output): ExecutionOutcome => ({ status: 'SUCCEEDED', output, actions: actions() }),
      (error: unknown): ExecutionOutcome => {
        const failState = (error as { cause?: { name?: string; message?: string } }).cause;
        return { status: 'FAILED', error: failState?.name ?? String(error), cause: failState?.message, actions: actions() };
      },
    );
    return { name, abort: running.abort, outcome };
  }

  async run(workflow: WorkflowName, input: unknown, request: RunRequest = {}): Promise<ExecutionOutcome> {
    return (await this.start(workflow, input, request)).outcome;
  }

  /** The actions of one function ("compute") or all, across executions, in order. */
  actions(fn?: string): string[] {
    return this.trace.filter((t) => !fn || t.fn === fn).map((t) => `${t.fn}.${t.action}${t.error ? '!' : ''}`);
  }

  close(): Promise<void> {
    return this.table.close();
  }

  #traced(fn: string, handler: unknown): StepHandler {
    // The middy handler takes (event, context); Step Functions hands a Task's Lambda only the event.
    const invoke = handler as (event: unknown) => Promise<unknown>;
    return async (input) => {
      const fields = input as Record<string, unknown>;
      const entry: TracedAction = { execution: String(fields.executionId), fn, action: String(fields.action) };
      this.trace.push(entry);
      await this.before?.(`${fn}.${entry.action}`, fields);
      try {
        return await invoke(input);
      } catch (error) {
        entry.error = (error as Error).name;
        throw error;
      }
    };
  }
}
