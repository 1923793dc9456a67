import type { WorkflowName, WorkflowPort } from '../../cloud/ports.ts';
import type { StepHandlers, WorkflowRunner } from '../workflows/runner.ts';
import { CORRELATION_ID } from '../../kernel/execution-name.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface ExecutionRecord {
  name: string;
  workflow: WorkflowName;
  executionArn: string;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startedAt: string;
  stoppedAt?: string;
}

export interface LocalWorkflowsOptions {
  runner: WorkflowRunner;
  handlers: StepHandlers;
  /** Share of each Wait and retry interval kept (see WorkflowRunner). */
  timeScale: number;
  minDelayMs?: number;
  log?: (event: string, details: Record<string, unknown>) => void;
}

/**
 * Step Functions on this machine: executions of the statemachines/ files run
 * in-process on the WorkflowRunner, one per unique name of each workflow, as
 * StartExecution would (names are unique per state machine; a name already used
 * there starts nothing).
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export class LocalWorkflows implements WorkflowPort {
  readonly #options: LocalWorkflowsOptions;
  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #running = new Map<string, { done: Promise<void>; abort: () => void }>();

  constructor(options: LocalWorkflowsOptions) {
    this.#options = options;
  }

  async startExecution(request: { workflow: WorkflowName; name: string; input: unknown }): Promise<{ executionArn: string; started: boolean }> {
    const key = executionKey(request.workflow, request.name);
    const known = this.#executions.get(key);
    if (known) return { executionArn: known.executionArn, started: false };

    const { runner, handlers, timeScale, minDelayMs = 20 } = this.#options;
    const execution = await runner.start(request.workflow, request.input, { handlers, name: request.name, timeScale, minDelayMs });
    const record: ExecutionRecord = {
      name: request.name,
      workflow: request.workflow,
      executionArn: execution.executionArn,
      status: 'RUNNING',
      input: request.input,
      startedAt: new Date().toISOString(),
    };
    this.#executions.set(key, record);
    this.#options.log?.('execution started', { workflow: request.workflow, execution: request.name, [CORRELATION_ID]: request.name });
    const done = execution.result.then(
      (output) => {
        Object.assign(record, { status: 'SUCCEEDED', output, stoppedAt: new Date().toISOString() });
        this.#options.log?.('execution succeeded', { workflow: request.workflow, execution: request.name, [CORRELATION_ID]: request.name });
      },
      (error: unknown) => {
        const failure = error as { name?: string; message?: string };
        const aborted = failure.name === 'ExecutionAbortedError';
        Object.assign(record, { status: aborted ? 'ABORTED' : 'FAILED', error: failure.name, cause: failure.message, stoppedAt: new Date().toISOString() });
        this.#options.log?.(aborted ? 'execution aborted' : 'execution failed', {
          workflow: request.workflow,
          execution: request.name,
          [CORRELATION_ID]: request.name,
          error: failure.name,
          cause: failure.message,
        });
      },
    );
    this.#running.set(key, { done, abort: execution.abort });
    void done.finally(() => this.#running.delete(key));
    return { executionArn: execution.executionArn, started: true };
  }

  executions(): ExecutionRecord[] {
    return [...this.#executions.values()];
  }

  execution(workflow: WorkflowName, name: string): ExecutionRecord | undefined {
    return this.#executions.get(executionKey(workflow, name));
  }

  /** Resolves when no execution is running (those started meanwhile included). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  /** Stops every running execution (shutdown); their tenants are resumed on the next start. */
  abortAll(): void {
    for (const running of this.#running.values()) running.abort();
  }
}

function executionKey(workflow: WorkflowName, name: string): string {
  return `${workflow}:${name}`;
}
