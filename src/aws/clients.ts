/**
 * Where every SDK client of the AWS provider is made, so that every call it makes is traced:
 * Powertools Tracer adds the X-Ray middleware to the client, and each call becomes a subsegment
 * of the function's trace (service, operation, status, retries). The functions run with active
 * tracing (serverless.yml, provider.tracing.lambda), which gives the trace; outside Lambda the
 * tracer is off and the client is returned as it was made
 * (https://docs.powertools.aws.dev/lambda/typescript/latest/core/tracer/).
 *
 * The tracer is loaded when a function builds its handler, on its first invocation, not when the
 * handler module is imported: the X-Ray SDK under it sets itself up at load (async hooks, its
 * sampling rules, semver), and its code is a fifth of a function's bundle. A deploy puts it in a
 * file of its own beside the handler's bundle, read only by this import()
 * (scripts/serverless/esbuild-plugins.cjs; npm run bench:bundles measures the import without it).
 * A client made in Lambda before that would call AWS untraced, so it is refused.
 *
 * test/architecture/sdk-clients.test.ts holds every other module to this one.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';

let loaded: Tracer | undefined;

/** The control plane's one tracer, loaded on first use; off unless the process runs in Lambda (AWS_EXECUTION_ENV). */
export async function loadTracer(): Promise<Tracer> {
  const { Tracer } = await import('@aws-lambda-powertools/tracer');
  return (loaded ??= new Tracer({ serviceName: 'humangov-control-plane' }));
}

/** An SDK v3 client, made with `config` and traced by `through` (by default the tracer loadTracer loaded). */
export function awsClient<Client, Config>(Make: new (config: Config) => Client, config: Config, through: Tracer | undefined = loaded): Client {
  // Lambda sets AWS_LAMBDA_FUNCTION_NAME (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
  if (!through && process.env.AWS_LAMBDA_FUNCTION_NAME) {
    throw new Error(
      `${Make.name} made before the tracer was loaded, so its calls would not be traced: make clients in the handler's build (lazyHandler), which loads it`,
    );
  }
  const client = new Make(config);
  return through ? through.captureAWSv3Client(client) : client;
}
