/** The WorkflowPort contract against the fake, the local Step Functions (executions on the in-process runner), and the AWS adapter over StartExecution's documented answers. */
import { StepFunctionsWorkflows } from '../../src/aws/workflows.ts';
import { PermanentCloudError } from '../../src/cloud/errors.ts';
import type { WorkflowName } from '../../src/cloud/ports.ts';
import { LocalWorkflows } from '../../src/local/runtime/local-workflows.ts';
import { WorkflowRunner, type StepHandlers } from '../../src/local/workflows/runner.ts';
import { FakeCloud } from '../support/fake-cloud.ts';
import { StepFunctionsModel } from './aws/sfn.ts';
import { workflowsContract } from './workflows.contract.ts';

workflowsContract('the fake', async () => {
  const cloud = new FakeCloud();
  return {
    port: cloud.workflows,
    started: async (workflow) => cloud.workflows.executions.filter((e) => e.workflow === workflow).length,
    close: async () => undefined,
  };
});

workflowsContract('the local Step Functions', async () => {
  // Every step fails at once: the contract is about starting executions, not running them.
  const handlers = new Proxy({} as StepHandlers, {
    get: () => async () => {
      throw new PermanentCloudError('not wired in this test');
    },
  });
  const workflows = new LocalWorkflows({ runner: new WorkflowRunner(), handlers, timeScale: 0.001 });
  return {
    port: workflows,
    started: async (workflow) => workflows.executions().filter((e) => e.workflow === workflow).length,
    close: async () => {
      workflows.abortAll();
      await workflows.idle();
    },
  };
});

const machines = (account: string): Record<WorkflowName, string> => ({
  'tenant-onboard': `arn:aws:states:us-east-1:${account}:stateMachine:humangov-test-tenant-onboard`,
  'tenant-offboard': `arn:aws:states:us-east-1:${account}:stateMachine:humangov-test-tenant-offboard`,
  'image-deploy': `arn:aws:states:us-east-1:${account}:stateMachine:humangov-test-image-deploy`,
});
workflowsContract(
  'the AWS adapter over Step Functions',
  async () => {
    const sfn = new StepFunctionsModel();
    return {
      port: new StepFunctionsWorkflows({ region: 'us-east-1', client: sfn.client, stateMachineArns: machines('123456789012') }),
      started: async (workflow) => [...sfn.executions.values()].filter((e) => e.stateMachineArn === machines('123456789012')[workflow]).length,
      close: async () => undefined,
    };
  },
  async () => ({
    port: new StepFunctionsWorkflows({
      region: 'us-east-1',
      client: new StepFunctionsModel({ throttling: true }).client,
      stateMachineArns: machines('123456789012'),
    }),
    close: async () => undefined,
  }),
);
