import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { HumanGovError } from '../../src/kernel/errors.ts';
import { loadTracer } from '../../src/aws/clients.ts';

/**
 * The one logger of the control plane's functions: structured JSON, with tenant
 * and execution ids appended per call. Every step at INFO in Lambda (CloudWatch);
 * on a terminal (npm start, the CLI) only warnings, unless POWERTOOLS_LOG_LEVEL says otherwise.
 */
export const logger = new Logger({
  serviceName: 'humangov-control-plane',
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? (process.env.AWS_LAMBDA_FUNCTION_NAME ? 'INFO' : 'WARN')) as 'INFO',
});

/** What every Task state sends its function: which action, and for whom. */
export interface StepInput {
  action: string;
  tenantId?: string;
  executionId?: string;
  [key: string]: unknown;
}

// Actions take their own input shape; the dispatcher only knows `action`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StepActions = Record<string, (input: any) => Promise<unknown>>;

/** A Task state asked for an action this function does not have: a bug in the ASL, not worth retrying. */
export class UnknownActionError extends HumanGovError {
  override name = 'UnknownActionError';
}

function parseStepInput(event: unknown, functionName: string, actions: StepActions): StepInput {
  if (typeof event !== 'object' || event === null || typeof (event as { action?: unknown }).action !== 'string') {
    throw new UnknownActionError(`${functionName} expects an object with an "action" field; got ${JSON.stringify(event)?.slice(0, 200)}`);
  }
  const input = event as StepInput;
  if (!Object.hasOwn(actions, input.action)) {
    throw new UnknownActionError(`${functionName} has no action "${input.action}"; it has ${Object.keys(actions).join(', ')}`);
  }
  return input;
}

/**
 * Wraps a set of workflow actions as one Lambda handler: the Task state names
 * the action, the matching function runs. A thrown error keeps its `name`,
 * which is what the state machine's Retry and Catch rules match on.
 */
export function stepHandler(functionName: string, actions: StepActions) {
  return middy(async (event: unknown) => {
    const input = parseStepInput(event, functionName, actions);
    // A child per invocation: locally many executions share one process (and one module-level
    // logger), so keys appended to the shared logger would bleed from one tenant's step into another's.
    const log = logger.createChild({
      persistentKeys: { function: functionName, action: input.action, tenantId: input.tenantId, executionId: input.executionId },
    });
    // The execution's name is the id its change was logged with (CORRELATION_ID, src/kernel/execution-name.ts).
    if (input.executionId) log.setCorrelationId(input.executionId);
    const started = Date.now();
    try {
      const result = await actions[input.action]!(input);
      log.info('step done', { durationMs: Date.now() - started });
      return result;
    } catch (error) {
      // Logged once here with its context; Step Functions records it again as the task's failure.
      // Errors the state machine retries (a table still CREATING, a held lease) are expected: no stack.
      const failure = error as Error & { retryable?: boolean };
      if (failure.retryable) log.info('step will be retried', { durationMs: Date.now() - started, error: failure.name, reason: failure.message });
      else log.warn('step failed', { durationMs: Date.now() - started, error: failure });
      throw error;
    }
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}

/**
 * Builds the real handler on first use, after loading the tracer its SDK clients are made with.
 * Module scope stays free of AWS configuration, so the local provider can import the same module
 * and build the same handler around its own dependencies; and a cold start's import stays short.
 */
export function lazyHandler<E, C, R>(build: () => (event: E, context: C) => R | Promise<R>): (event: E, context: C) => Promise<R> {
  let built: ((event: E, context: C) => R | Promise<R>) | undefined;
  return async (event, context) => {
    if (!built) {
      await loadTracer();
      built ??= build();
    }
    return built(event, context);
  };
}
