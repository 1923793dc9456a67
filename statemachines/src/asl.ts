/**
 * A small typed builder for the state machines' ASL: each retry policy and
 * each repeated block is written once here and referred to by name. `npm run
 * build:asl` renders statemachines/<name>.asl.json from these sources; those
 * files are what serverless.yml deploys, what the local runner runs and what
 * the tests read, and a test fails when they differ from what the sources
 * render.
 *
 * Errors named here are the control plane's own (src/cloud/errors.ts,
 * src/tenants/errors.ts): adapters and repositories translate SDK errors at
 * their boundary, so no ASL names an SDK's error. The `Lambda.*` names are
 * the Lambda service's errors for the invocation itself, which Step
 * Functions documents retrying:
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
 */

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds: number;
  readonly BackoffRate: number;
  readonly MaxAttempts: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly ResultPath: string;
  readonly Next: string;
}

export type State = Record<string, unknown>;
export type States = Record<string, State>;

export interface Machine {
  readonly Comment: string;
  readonly StartAt: string;
  readonly TimeoutSeconds?: number;
  readonly States: States;
}

/** The Lambda service's own errors for an invocation: always worth another try. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** Errors that mean "the same call is likely to work later", as the steps throw them. */
export const TRANSIENT_ERRORS = ['TransientCloudError', 'ConcurrentUpdateError', ...LAMBDA_SERVICE_ERRORS] as const;

/** Every retry policy of the three machines, each written once. */
export const RETRY = {
  /** Throttling, a 5xx, a lost race: back off with full jitter, about two minutes in all. */
  transient: {
    ErrorEquals: TRANSIENT_ERRORS,
    IntervalSeconds: 2,
    BackoffRate: 2,
    MaxAttempts: 6,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  },
  /** A resource not ready yet (a table CREATING, a role IAM has not propagated): about three minutes. */
  notReady: {
    ErrorEquals: ['NotReadyError'],
    IntervalSeconds: 5,
    BackoffRate: 1.5,
    MaxAttempts: 10,
    MaxDelaySeconds: 30,
    JitterStrategy: 'FULL',
  },
  /** Another execution holds the tenant's lease: wait about an hour, without jitter so the bound is what it says. */
  tenantLocked: {
    ErrorEquals: ['TenantLockedError'],
    IntervalSeconds: 20,
    BackoffRate: 1.5,
    MaxAttempts: 16,
    MaxDelaySeconds: 300,
  },
  /** image-deploy's writes to the deployments table: quick, since a rollout is waiting on them. */
  deploymentRecord: {
    ErrorEquals: TRANSIENT_ERRORS,
    IntervalSeconds: 1,
    BackoffRate: 2,
    MaxAttempts: 6,
    MaxDelaySeconds: 20,
    JitterStrategy: 'FULL',
  },
  /** image-deploy's steps on one tenant: transient and not-ready alike, a little longer. */
  tenantRelease: {
    ErrorEquals: ['TransientCloudError', 'NotReadyError', 'ConcurrentUpdateError', ...LAMBDA_SERVICE_ERRORS],
    IntervalSeconds: 2,
    BackoffRate: 2,
    MaxAttempts: 8,
    MaxDelaySeconds: 30,
    JitterStrategy: 'FULL',
  },
} as const satisfies Record<string, Retrier>;

/** A catcher: the errors (every one by default) go to `next`, the error object to `resultPath`. */
export function catching(next: string, resultPath = '$.error', errors: readonly string[] = ['States.ALL']): Catcher {
  return { ErrorEquals: errors, ResultPath: resultPath, Next: next };
}

export interface TaskSpec {
  comment?: string;
  resource: string;
  parameters: Record<string, unknown>;
  resultSelector?: Record<string, unknown>;
  /** Omitted: the result replaces the input (ASL's default, `$`). */
  resultPath?: string | null;
  outputPath?: string;
  retry: readonly Retrier[];
  catch?: readonly Catcher[];
  next?: string;
}

/** A Task state, its fields in the order the files have always had them. */
export function task(spec: TaskSpec): State {
  return withoutUndefined({
    Type: 'Task',
    Comment: spec.comment,
    Resource: spec.resource,
    Parameters: spec.parameters,
    ResultSelector: spec.resultSelector,
    ResultPath: spec.resultPath,
    OutputPath: spec.outputPath,
    Retry: spec.retry,
    Catch: spec.catch,
    Next: spec.next,
    End: spec.next === undefined ? true : undefined,
  });
}

/** A Choice on one boolean: `variable` equal to `equals` goes to `then`, anything else to `otherwise`. */
export function ifBoolean(variable: string, equals: boolean, then: string, otherwise: string, comment?: string): State {
  return withoutUndefined({
    Type: 'Choice',
    Comment: comment,
    Choices: [{ Variable: variable, BooleanEquals: equals, Next: then }],
    Default: otherwise,
  });
}

/** A Choice on a string field: the first matching value's state, else `otherwise`. */
export function onString(variable: string, cases: Record<string, string>, otherwise: string): State {
  return {
    Type: 'Choice',
    Choices: Object.entries(cases).map(([value, next]) => ({ Variable: variable, StringEquals: value, Next: next })),
    Default: otherwise,
  };
}

export function wait(seconds: number, next: string, comment?: string): State {
  return withoutUndefined({ Type: 'Wait', Comment: comment, Seconds: seconds, Next: next });
}

/** A Fail state that reports the caught error as the execution's own. */
export function failWithCaughtError(comment?: string): State {
  return withoutUndefined({ Type: 'Fail', Comment: comment, ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
}

function withoutUndefined(state: Record<string, unknown>): State {
  return Object.fromEntries(Object.entries(state).filter(([, value]) => value !== undefined));
}

/** The file's text: two-space JSON and a final newline, the same bytes every time. */
export function render(machine: Machine): string {
  return `${JSON.stringify(machine, null, 2)}\n`;
}
