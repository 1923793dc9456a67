/** The AWS provider's public surface: settings from the environment, and the Cloud built from them. */
export { awsConfigFromEnv, AwsConfigError, CONTAINER_PORT, STATE_MACHINE_ENV } from './config.ts';
export type { AwsConfig } from './config.ts';
export { createAwsCloud } from './cloud.ts';
export type { AwsClients } from './cloud.ts';
export { executionName } from './execution-name.ts';
