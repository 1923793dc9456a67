/**
 * Steps on IAM: the task role of a tenant, which reaches only the tenant's
 * table (and its indexes) and the tenant's bucket.
 *
 * Onboarding: ensureTaskRole. Offboarding and compensation: removeTaskRole.
 */
import * as z from 'zod/mini';
import '../../kernel/zod-english.ts';
import { taskRolePolicy } from '../../tenants/task-role-policy.ts';
import type { StepDeps } from '../deps.ts';
import { parseStepInput } from '../kit/input.ts';
import { stepInputSchema, tenantNames, tenantTags } from './context.ts';

/** Built on the role step's first call (z.lazy keeps it), not at every cold start. */
const roleInput = z.lazy(() => z.extend(stepInputSchema, { tableArn: z.string(), indexNames: z.array(z.string()), bucketArn: z.string() }));

export function accessSteps(deps: StepDeps) {
  const { cloud } = deps;
  return {
    /** The role with exactly the tenant's policy inline. A new role may not be assumable at once: ECS steps retry NotReadyError. */
    async ensureTaskRole(raw: unknown) {
      const { tenantId, tableArn, indexNames, bucketArn } = parseStepInput(roleInput, raw);
      const names = tenantNames(cloud.platform, tenantId);
      const policy = taskRolePolicy({ tableArn, indexNames, bucketArn });
      const role = await cloud.access.ensureTaskRole({ roleName: names.taskRole, policy, tags: tenantTags(cloud.platform, tenantId) });
      return { taskRoleArn: role.arn };
    },

    async removeTaskRole(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      await cloud.access.deleteTaskRole(names.taskRole);
      return { removed: names.taskRole };
    },
  };
}
