/**
 * The CLI's errors. Each carries the exit code it ends the process with and a
 * message a person can act on; bin/humangov.ts prints the message, never a
 * stack. Codes: 1 = the operation failed or was refused, 2 = the command line
 * itself was wrong (as most Unix tools do).
 */
import { HumanGovError } from '../kernel/errors.ts';

export class CliError extends HumanGovError {
  override name = 'CliError';
  readonly exitCode: number = 1;
  /** Stable UPPER_SNAKE code for --json output; API errors keep the API's own code. */
  readonly code: string = 'CLI_ERROR';
}

/** The command line is wrong (bad option value, missing argument, push against AWS): exit 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
  override readonly exitCode = 2;
  override readonly code = 'USAGE';
}

/** Nothing answered at the API's URL. */
export class ApiUnreachableError extends CliError {
  override name = 'ApiUnreachableError';
  override readonly code = 'UNREACHABLE';
}

/** The API answered with an error; `message` is the API's own when it sent one. */
export class ApiResponseError extends CliError {
  override name = 'ApiResponseError';
  override readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
    this.code = code;
  }
}

/** No AWS credentials could be found or refreshed to sign a request to a deployed stage. */
export class AwsCredentialsError extends CliError {
  override name = 'AwsCredentialsError';
  override readonly code = 'NO_CREDENTIALS';
}

/** A --wait ran out of time; the workflow itself goes on in the control plane. */
export class WaitTimeoutError extends CliError {
  override name = 'WaitTimeoutError';
  override readonly code = 'TIMEOUT';
}

/** Ctrl-C during a wait: exit code 130, as a shell reports a SIGINT. */
export class WaitInterruptedError extends CliError {
  override name = 'WaitInterruptedError';
  override readonly exitCode = 130;
  override readonly code = 'INTERRUPTED';
}
