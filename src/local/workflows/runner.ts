import { StateMachine, type RunOptions as LibraryRunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { arnOf } from '../../cloud/arn.ts';
import type { WorkflowName } from '../../cloud/ports.ts';
import { allStates, loadDefinition, PLACEHOLDER, substitute, type AslDefinition } from '../../workflows/definitions.ts';
import { withDistributedMapsInline } from './local-map.ts';

/** A step implementation, as its Lambda would run it: the state's input in, the state's result out. */
export type StepHandler = (input: unknown) => Promise<unknown>;

/** Handlers by the placeholder name the ASL uses for their function (`TenantDataFunctionArn` -> handler). */
export type StepHandlers = Record<string, StepHandler>;

/** What the interpreter reports as an execution goes (states entered and exited with their data, retries, Map iterations). */
export type ExecutionEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface RunOptions {
  handlers: StepHandlers;
  /** Execution name, as Step Functions would have it ($$.Execution.Name). */
  name: string;
  /**
   * How much of each Wait and retry interval to keep: 1 keeps them, 0.01 makes a
   * 15 s wait 150 ms. Waits are shortened here, never by editing the definition.
   */
  timeScale?: number;
  /** Floor for a shortened wait or retry interval, so loops still yield to the event loop. */
  minDelayMs?: number;
  /** Called with every event of the execution, nested Map iterations included (tests measure payloads with it). */
  onEvent?: (event: ExecutionEvent) => void;
}

export interface RunningExecution {
  executionArn: string;
  result: Promise<unknown>;
  abort: () => void;
  /** Settles once `onEvent` has seen the execution's last event. */
  observed: Promise<void>;
}

const LOCAL_ACCOUNT = '000000000000';
const LOCAL_REGION = 'us-east-1';

/**
 * Runs a state-machine file with aws-local-stepfunctions, every Task state
 * mapped to the same handler its Lambda runs in AWS. Used by the tests and by
 * the local provider's WorkflowPort. A Distributed Map runs its ItemProcessor
 * inline, in this execution (the library has no distributed mode).
 */
export class WorkflowRunner {
  readonly #definitions = new Map<WorkflowName, Promise<AslDefinition>>();
  readonly #machines = new Map<string, StateMachine>();

  async start(workflow: WorkflowName, input: unknown, options: RunOptions): Promise<RunningExecution> {
    const definition = await this.#definition(workflow);
    const placeholders: Record<string, string> = {};
    const taskResourceLocalHandlers: Record<string, StepHandler> = {};
    const waitTimeOverrides: Record<string, number> = {};
    const retryIntervalOverrides: Record<string, number[]> = {};
    const scale = options.timeScale ?? 1;
    const floor = options.minDelayMs ?? 0;
    const shorten = (seconds: number) => Math.max(floor, Math.round(seconds * 1000 * scale));

    for (const [stateName, state] of allStates(definition)) {
      const placeholder = state.Type === 'Task' && state.Resource ? PLACEHOLDER.exec(state.Resource)?.[1] : undefined;
      if (placeholder) {
        const handler = options.handlers[placeholder];
        if (!handler) throw new Error(`${workflow}: state "${stateName}" needs a handler for ${placeholder}`);
        placeholders[placeholder] = arnOf({
          service: 'lambda',
          region: LOCAL_REGION,
          accountId: LOCAL_ACCOUNT,
          resource: `function:${placeholder.replace(/Arn$/, '')}`,
        });
        taskResourceLocalHandlers[stateName] = handler;
      }
      if (state.Type === 'Wait' && typeof state.Seconds === 'number') waitTimeOverrides[stateName] = shorten(state.Seconds);
      if (state.Retry && scale !== 1) retryIntervalOverrides[stateName] = state.Retry.map((r) => shorten(r.IntervalSeconds ?? 1));
    }

    const machine = this.#machine(workflow, definition, placeholders);
    const executionArn = arnOf({
      service: 'states',
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT,
      resource: `execution:humangov-local-${workflow}:${options.name}`,
    });
    // Handlers take and return JSON; the library's JSONValue type is stricter than `unknown` only on paper.
    const runOptions = {
      overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
      context: {
        Execution: { Id: executionArn, Name: options.name, Input: input, StartTime: new Date().toISOString() },
        StateMachine: { Id: executionArn.replace(/:execution:([^:]+):.*$/, ':stateMachine:$1'), Name: `humangov-local-${workflow}` },
      },
    } as unknown as LibraryRunOptions;
    const execution = machine.run(input as Parameters<StateMachine['run']>[0], runOptions);
    const { onEvent } = options;
    const observed = onEvent
      ? (async () => {
          for await (const event of execution.eventLogs) onEvent(event);
        })()
      : Promise.resolve();
    return { executionArn, result: execution.result, abort: execution.abort, observed };
  }

  /**
   * One StateMachine per workflow and substitution, shared by its executions:
   * the library validates a definition when it is constructed (120-300 ms of
   * CPU for tenant-onboard), and a run keeps its state outside the definition.
   */
  #machine(workflow: WorkflowName, definition: AslDefinition, placeholders: Record<string, string>): StateMachine {
    const key = `${workflow} ${JSON.stringify(placeholders)}`;
    let machine = this.#machines.get(key);
    if (!machine) {
      // The file is validated by the library itself; our AslDefinition type is only the part we read.
      // The library has no distributed Map mode: such a Map runs its ItemProcessor inline (see local-map.ts).
      const local = withDistributedMapsInline(substitute(definition, placeholders), workflow);
      machine = new StateMachine(local as unknown as StateMachineDefinition);
      this.#machines.set(key, machine);
    }
    return machine;
  }

  #definition(workflow: WorkflowName): Promise<AslDefinition> {
    let definition = this.#definitions.get(workflow);
    if (!definition) {
      definition = loadDefinition(workflow);
      this.#definitions.set(workflow, definition);
    }
    return definition;
  }
}
