import type { WorkflowPort } from '../../cloud/ports.ts';
import type { DeploymentRepository } from '../../deployments/repository.ts';
import type { TenantRepository } from '../../tenants/repository.ts';
import { isTransitional } from '../../tenants/status.ts';
import { executionNameFor } from '../../tenants/changes.ts';
import type { LogFn } from '../logs/json-log.ts';

export interface ResumeDeps {
  tenants: TenantRepository;
  deployments: DeploymentRepository;
  workflows: WorkflowPort;
  log: LogFn;
}

/**
 * What a stop left unfinished, finished on the next start. Nothing ran between
 * the two, so:
 * - every lease still held belongs to an execution that no longer exists: freed;
 * - a rollout still IN_PROGRESS was cut off: it ends FAILED (tenants it had not
 *   reached keep their image; push again to retry), and the tenants it was
 *   changing are converged back to the current release below;
 * - a tenant left PROVISIONING, DEPLOYING or DEPROVISIONING, or never picked up
 *   (no status), is driven to its desired state by a fresh converge workflow.
 */
export async function resumeUnfinishedWork(deps: ResumeDeps): Promise<{ resumed: string[]; interruptedDeployments: string[] }> {
  const interruptedDeployments: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.deployments.list({ cursor });
    for (const deployment of page.items.filter((d) => d.status === 'IN_PROGRESS')) {
      const results = Object.fromEntries(
        Object.entries(deployment.results ?? {}).map(([id, result]) => [
          id,
          result.outcome === 'PENDING' ? { ...result, outcome: 'SKIPPED' as const, error: 'not reached: the control plane stopped' } : result,
        ]),
      );
      await deps.deployments.finish(deployment.deploymentId, {
        status: 'FAILED',
        reason: 'interrupted: the local control plane stopped during this rollout; push the image again to retry',
        endedAt: new Date().toISOString(),
        results,
      });
      interruptedDeployments.push(deployment.deploymentId);
    }
    cursor = page.nextCursor;
  } while (cursor);

  const resumed: string[] = [];
  const stamp = Date.now().toString();
  for (const tenant of await deps.tenants.all()) {
    if (tenant.lock) await deps.tenants.releaseLock(tenant.tenantId, tenant.lock.owner);
    const unfinished = isTransitional(tenant.status) || (tenant.status === undefined && tenant.desiredState !== 'DELETED');
    if (!unfinished) continue;
    const workflow = tenant.desiredState === 'DELETED' ? 'tenant-offboard' : 'tenant-onboard';
    await deps.workflows.startExecution({ workflow, name: executionNameFor(tenant.tenantId, workflow, `r${stamp}`), input: { tenantId: tenant.tenantId } });
    resumed.push(tenant.tenantId);
  }
  if (resumed.length + interruptedDeployments.length > 0) {
    deps.log({ level: 'INFO', message: 'resumed unfinished work', tenants: resumed, interruptedDeployments });
  }
  return { resumed, interruptedDeployments };
}
