import { ExecutionAlreadyExists, SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from '@jest/globals';
import { PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import { executionArn, StepFunctionsWorkflows } from './workflows.ts';

const sfn = mockClient(SFNClient);
const onboardArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:humangov-prod-tenant-onboard';
const workflows = new StepFunctionsWorkflows({
  client: new SFNClient({ region: 'us-east-1' }),
  region: 'us-east-1',
  stateMachineArns: { 'tenant-onboard': onboardArn },
});
const request = { workflow: 'tenant-onboard' as const, name: 'onboard-ca-3', input: { tenantId: 'ca' } };

afterEach(() => {
  sfn.reset();
});

describe('StepFunctionsWorkflows.startExecution', () => {
  it('starts the workflow state machine under the given name with the input as JSON', async () => {
    const started = `${onboardArn.replace('stateMachine', 'execution')}:onboard-ca-3`;
    sfn.on(StartExecutionCommand).resolves({ executionArn: started, startDate: new Date() });

    await expect(workflows.startExecution(request)).resolves.toEqual({ executionArn: started, started: true });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: onboardArn,
      name: 'onboard-ca-3',
      input: '{"tenantId":"ca"}',
    });
  });

  it('returns the first execution, not started, when the name was used before', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    await expect(workflows.startExecution(request)).resolves.toEqual({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:humangov-prod-tenant-onboard:onboard-ca-3',
      started: false,
    });
  });

  it('cleans a name Step Functions would refuse', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });

    await workflows.startExecution({ ...request, name: 'deploy:sha256:abc' });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.name).toMatch(/^deploy-sha256-abc-[0-9a-f]{10}$/);
  });

  it('names the missing environment variable when the workflow has no state machine configured', async () => {
    const error = await workflows.startExecution({ ...request, workflow: 'image-deploy' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PermanentCloudError);
    expect((error as Error).message).toMatch(/DEPLOY_STATE_MACHINE_ARN/);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('translates throttling into TransientCloudError', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));

    await expect(workflows.startExecution(request)).rejects.toBeInstanceOf(TransientCloudError);
  });
});

describe('executionArn', () => {
  it('builds the execution ARN from the state machine ARN', () => {
    expect(executionArn('arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:m', 'n')).toBe(
      'arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:m:n',
    );
  });
});
