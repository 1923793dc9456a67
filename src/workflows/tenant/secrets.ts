/**
 * Steps on Secrets Manager: the tenant's own secrets, which its task receives through its task
 * definition's `secrets` (ECS reads them with the execution role when a task starts).
 *
 * Onboarding: ensureTenantSecrets (before the task definition names them). Offboarding and
 * compensation: removeTenantSecrets. The stack secret they derive from is read here only.
 */
import type { StepDeps } from '../deps.ts';
import { parseStepInput } from '../kit/input.ts';
import { stepInputSchema, tenantTags } from './context.ts';
import { tenantCsrfSecret, tenantSecretName } from './task-environment.ts';

export function secretSteps(deps: StepDeps) {
  const { cloud } = deps;
  return {
    /** Derives the tenant's CSRF secret from the stack secret and stores it; the same value every time, so re-running adds nothing. */
    async ensureTenantSecrets(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const value = tenantCsrfSecret(await cloud.secrets.stackSecret(), tenantId);
      const { arn } = await cloud.secrets.ensureSecret({
        name: tenantSecretName(cloud.platform.stage, tenantId),
        value,
        description: `HumanGov ${cloud.platform.stage}: CSRF key of tenant ${tenantId} (read by ECS when its tasks start)`,
        tags: tenantTags(cloud.platform, tenantId),
      });
      return { csrfSecretArn: arn };
    },

    async removeTenantSecrets(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const name = tenantSecretName(cloud.platform.stage, tenantId);
      await cloud.secrets.deleteSecret(name);
      return { removed: name };
    },
  };
}
