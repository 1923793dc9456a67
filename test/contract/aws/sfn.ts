/**
 * Step Functions' StartExecution as its API reference documents it, behind a mocked client
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html):
 * execution names are unique per state machine; for a Standard workflow, the same name and
 * input as a running execution answer that execution again (200); another input, or a closed
 * execution, answers ExecutionAlreadyExists. Throttling is ThrottlingException
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html), which the
 * SDK raises as its base exception with that name.
 */
import { ExecutionAlreadyExists, SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';

const $metadata = {};

export class StepFunctionsModel {
  readonly client = new SFNClient({ region: 'us-east-1' });
  /** Running executions by ARN, with their input. */
  readonly executions = new Map<string, { stateMachineArn: string; input: string }>();

  constructor(options: { throttling?: boolean } = {}) {
    const mock = mockClient(this.client);
    if (options.throttling) {
      mock.onAnyCommand().rejects(new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata }));
      return;
    }
    mock.on(StartExecutionCommand).callsFake((input) => {
      const executionArn = `${(input.stateMachineArn ?? '').replace(':stateMachine:', ':execution:')}:${input.name}`;
      const existing = this.executions.get(executionArn);
      if (existing && existing.input !== input.input) throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${executionArn}'`, $metadata });
      if (!existing) this.executions.set(executionArn, { stateMachineArn: input.stateMachineArn ?? '', input: input.input ?? '' });
      return { executionArn, startDate: new Date() };
    });
  }
}
