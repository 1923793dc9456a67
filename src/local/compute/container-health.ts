/**
 * A container health check as ECS runs one from the container definition
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html):
 *
 * - the status is UNKNOWN until the command first answers;
 * - a pass makes it HEALTHY and resets the count of failures;
 * - a failure (non-zero exit, or no answer within `timeout`) counts toward `retries`, except
 *   during `startPeriod` before the first pass ("if a health check succeeds within the
 *   startPeriod, then the container is considered healthy and any subsequent failures count");
 * - `retries` consecutive counted failures make it UNHEALTHY. A service's task with an
 *   UNHEALTHY essential container is stopped and replaced by the scheduler.
 *
 * This class is the decision only; ContainerTask runs the command and the clock.
 */
import type { ContainerHealthCheck } from './container-image.ts';

export type ContainerHealthStatus = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY';

/**
 * During the start period, until the first pass, the command runs this often rather than once
 * per interval, so a task is HEALTHY about a second after its app listens (Docker's
 * --start-interval does the same). ECS's agent runs the first check one interval after the
 * start: locally a rollout does not wait 15 s per task for it.
 */
export const START_INTERVAL_MS = 1000;

export class ContainerHealth {
  readonly check: ContainerHealthCheck;
  readonly #startedAt: number;
  status: ContainerHealthStatus = 'UNKNOWN';
  failingStreak = 0;
  passedOnce = false;
  /** The last failure's output, for a task's stop reason. */
  lastFailure: string | undefined;

  constructor(check: ContainerHealthCheck, startedAt: number) {
    this.check = check;
    this.#startedAt = startedAt;
  }

  /** Records one run of the command; returns the status after it. */
  record(result: { passed: boolean; output?: string }, at: number): ContainerHealthStatus {
    if (result.passed) {
      this.passedOnce = true;
      this.failingStreak = 0;
      this.status = 'HEALTHY';
      return this.status;
    }
    this.lastFailure = result.output;
    const starting = !this.passedOnce && at - this.#startedAt < this.check.startPeriodSeconds * 1000;
    if (starting) return this.status;
    this.failingStreak += 1;
    if (this.failingStreak >= this.check.retries) this.status = 'UNHEALTHY';
    return this.status;
  }

  /** How long to wait before the next run of the command: the start interval until the first pass or the end of the start period, then the interval. */
  nextDelayMs(at: number): number {
    const interval = this.check.intervalSeconds * 1000;
    const starting = !this.passedOnce && at - this.#startedAt < Math.max(this.check.startPeriodSeconds * 1000, START_INTERVAL_MS);
    return starting ? Math.min(START_INTERVAL_MS, interval) : interval;
  }
}
