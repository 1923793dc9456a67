import type { ServiceState } from '../cloud/ports.ts';

export type RolloutVerdict = { state: 'IN_PROGRESS'; detail: string } | { state: 'COMPLETED' } | { state: 'FAILED'; reason: string };

/**
 * Judges one ECS deployment of a service. "Stable" is not "success": the
 * deployment we started must itself be the PRIMARY one and COMPLETED. If the
 * circuit breaker rolled it back, ECS ends up stable on the *old* task
 * definition, which is a failure of this deployment.
 */
export function assessRollout(service: ServiceState | undefined, deploymentId: string): RolloutVerdict {
  if (!service || service.status !== 'ACTIVE') {
    return { state: 'FAILED', reason: `the service is ${service ? service.status.toLowerCase() : 'missing'}; it was deleted while deploying` };
  }
  const ours = service.deployments.find((d) => d.id === deploymentId);
  if (!ours) {
    return { state: 'FAILED', reason: `deployment ${deploymentId} is no longer on the service; a newer deployment replaced it` };
  }
  if (ours.rolloutState === 'FAILED') {
    return { state: 'FAILED', reason: `ECS rolled deployment ${deploymentId} back: ${ours.rolloutStateReason ?? 'tasks failed to start or stay healthy'}` };
  }
  if (ours.status !== 'PRIMARY') {
    return {
      state: 'FAILED',
      reason: `deployment ${deploymentId} is no longer the primary deployment (it is ${ours.status}); the service moved on without it`,
    };
  }
  if (ours.rolloutState === 'COMPLETED') return { state: 'COMPLETED' };
  return {
    state: 'IN_PROGRESS',
    detail: `${ours.runningCount}/${ours.desiredCount} tasks running${ours.failedTasks ? `, ${ours.failedTasks} failed` : ''}`,
  };
}
