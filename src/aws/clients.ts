/**
 * Where every SDK client of the AWS provider is made, so that every call it makes is traced:
 * Powertools Tracer adds the X-Ray middleware to the client, and each call becomes a subsegment
 * of the function's trace (service, operation, status, retries). The functions run with active
 * tracing (serverless.yml, provider.tracing.lambda), which gives the trace; outside Lambda the
 * tracer is off and the client is returned as it was made
 * (https://docs.powertools.aws.dev/lambda/typescript/latest/core/tracer/).
 *
 * test/architecture/sdk-clients.test.ts holds every other module to this one.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

/** The control plane's one tracer; off unless the process runs in Lambda (AWS_EXECUTION_ENV). */
export const tracer = new Tracer({ serviceName: 'humangov-control-plane' });

/** An SDK v3 client, made with `config` and traced. */
export function awsClient<Client, Config>(Make: new (config: Config) => Client, config: Config, through: Tracer = tracer): Client {
  return through.captureAWSv3Client(new Make(config));
}
