/**
 * Every polling bound of the workflows, in one place. A poll is a Wait state
 * of `intervalSeconds` followed by one look; a bound is how many looks before
 * the step gives up, so `intervalSeconds × attempts` is the budget. The state
 * machine sources (statemachines/src/) write these into the ASL (Wait
 * seconds, the `maxPolls`/`maxAttempts` a step is passed), and the
 * image-deploy steps read the attempt counts from here, so the ASL and the
 * step code cannot disagree.
 */
export interface PollingBound {
  /** The Wait state between two looks. */
  readonly intervalSeconds: number;
  /** Looks before giving up. */
  readonly attempts: number;
}

export const POLLING = {
  /** tenant-onboard: the service's first ECS deployment COMPLETED (20 min). */
  onboardRollout: { intervalSeconds: 15, attempts: 80 },
  /** tenant-onboard: the load balancer agrees the tenant is healthy (5 min). */
  onboardVerify: { intervalSeconds: 10, attempts: 30 },
  /** tenant-onboard compensation and tenant-offboard: the service gone before its target group goes (10 min). */
  serviceDrain: { intervalSeconds: 10, attempts: 60 },
  /** image-deploy: another workflow holds the tenant's lease (10 min). */
  releaseLock: { intervalSeconds: 10, attempts: 60 },
  /** image-deploy: the release's (or rollback's) ECS deployment COMPLETED (15 min). */
  releaseRollout: { intervalSeconds: 15, attempts: 60 },
  /** image-deploy: the load balancer agrees the release (or rollback) is healthy (2 min). */
  releaseVerify: { intervalSeconds: 10, attempts: 12 },
} as const satisfies Record<string, PollingBound>;

/** The longest a bound waits in Wait states: what each one above promises in its comment. */
export function pollingBudgetSeconds(bound: PollingBound): number {
  return bound.intervalSeconds * bound.attempts;
}
