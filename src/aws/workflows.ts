/** WorkflowPort on Step Functions: starts the stage's state machines under deterministic names. */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PermanentCloudError } from '../cloud/errors.ts';
import type { WorkflowName, WorkflowPort } from '../cloud/ports.ts';
import { STATE_MACHINE_ENV } from './config.ts';
import { translateAwsError } from './errors.ts';
import { executionName } from '../kernel/execution-name.ts';

export interface StepFunctionsWorkflowsOptions {
  client?: SFNClient;
  region: string;
  stateMachineArns: Partial<Record<WorkflowName, string>>;
}

export class StepFunctionsWorkflows implements WorkflowPort {
  readonly #client: SFNClient;
  readonly #stateMachineArns: Partial<Record<WorkflowName, string>>;

  constructor(options: StepFunctionsWorkflowsOptions) {
    this.#client = options.client ?? new SFNClient({ region: options.region });
    this.#stateMachineArns = options.stateMachineArns;
  }

  async startExecution(request: { workflow: WorkflowName; name: string; input: unknown }): Promise<{ executionArn: string; started: boolean }> {
    const stateMachineArn = this.#stateMachineArns[request.workflow];
    if (!stateMachineArn) {
      throw new PermanentCloudError(
        `no state machine is configured for workflow "${request.workflow}": set ${STATE_MACHINE_ENV[request.workflow]} in this function's environment (serverless.yml)`,
      );
    }
    const name = executionName(request.name);
    try {
      const started = await this.#client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(request.input ?? {}) }));
      return { executionArn: started.executionArn ?? executionArn(stateMachineArn, name), started: true };
    } catch (error) {
      // The name was used before (a duplicate delivery): the first execution stands.
      if (error instanceof ExecutionAlreadyExists) return { executionArn: executionArn(stateMachineArn, name), started: false };
      throw translateAwsError(error, { action: 'states:StartExecution', resource: `state machine "${stateMachineArn}"` });
    }
  }
}

/**
 * The ARN of execution `name` of a state machine, built because ExecutionAlreadyExists does
 * not carry it and DescribeExecution needs it: `arn:<partition>:states:<region>:<account>:execution:<machine>:<name>`.
 */
export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
