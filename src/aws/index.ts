/** The AWS provider's public surface: settings from the environment, and the Cloud built from them. */
export { awsConfigFromEnv, AwsConfigError, CONTAINER_PORT, STATE_MACHINE_ENV } from './config.ts';
export type { AwsConfig } from './config.ts';
export {
  awsAccess,
  awsBuckets,
  awsCompute,
  awsLoadBalancer,
  awsLogs,
  awsSecrets,
  awsStaffPool,
  awsTables,
  awsWorkflows,
  createAwsCloud,
  createAwsCloudOf,
} from './cloud.ts';
export type { AwsClients, AwsPortBuilders } from './cloud.ts';
export { executionName } from '../kernel/execution-name.ts';
export { SqsStreamFailures } from './stream-failures.ts';
