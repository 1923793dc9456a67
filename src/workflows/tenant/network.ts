/**
 * Steps on the load balancer: the tenant's target group and host rule, and
 * the ALB verification that decides a tenant is really serving.
 *
 * Onboarding: ensureRouting → verify (looped by the state machine, bounded).
 * Offboarding and compensation: removeRouting.
 */
import * as z from 'zod/mini';
import '../../kernel/zod-english.ts';
import { PermanentCloudError } from '../../cloud/errors.ts';
import type { ListenerSignIn } from '../../cloud/ports.ts';
import { verifyTenant } from '../../tenants/verification.ts';
import type { StepDeps } from '../deps.ts';
import { parseStepInput } from '../kit/input.ts';
import { stepInputSchema, tenantNames, tenantTags } from './context.ts';
import { VerificationFailedError } from './errors.ts';

/** Where the load balancer receives the IdP's code (the ALB's fixed path). */
export const SIGN_IN_CALLBACK_PATH = '/oauth2/idpresponse';

/** Built on the verify step's first call (z.lazy keeps it), not at every cold start. */
const verifyInput = z.lazy(() =>
  z.extend(stepInputSchema, {
    targetGroupArn: z.string(),
    desiredCount: z.number().check(z.int(), z.gte(1)),
    expectedDigest: z.string(),
    attempts: z.number().check(z.int(), z.gte(0)),
    maxAttempts: z.number().check(z.int(), z.gte(1)),
  }),
);

/**
 * The sign-in of the tenant's rule: none where the platform signs nobody in; its own IdP where
 * its record names one; else the user pool, with the tenant's own app client (allowed only its
 * callback URL) and the state's group made first.
 */
async function listenerSignIn(deps: StepDeps, tenantId: string): Promise<ListenerSignIn | undefined> {
  const { cloud } = deps;
  if (!cloud.platform.signIn) return undefined;
  const { identityProvider } = await deps.tenants.require(tenantId);
  if (identityProvider) return { kind: 'oidc', ...identityProvider };
  if (!cloud.staffPool) {
    throw new PermanentCloudError(
      `tenant "${tenantId}" has no identityProvider, and this stage has no user pool (AWS GovCloud (US) has no Amazon Cognito sign-in at the load balancer). Give the tenant its own OIDC identityProvider (issuer, clientId, clientSecretArn)`,
    );
  }
  await cloud.staffPool.ensureTenantGroup(tenantId);
  const { clientId } = await cloud.staffPool.ensureTenantClient({
    tenantId,
    callbackUrl: `${cloud.loadBalancer.endpointFor(tenantId)}${SIGN_IN_CALLBACK_PATH}`,
  });
  return { kind: 'user-pool', clientId };
}

export function networkSteps(deps: StepDeps) {
  const { cloud } = deps;
  return {
    /**
     * Target group, then the host-header rule sending `<tenant>.<domain>` to it, signing staff in
     * first where the platform signs in: with the state's own IdP when its record names one, else
     * with the stack's user pool.
     */
    async ensureRouting(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      const tags = tenantTags(cloud.platform, tenantId);
      const signIn = await listenerSignIn(deps, tenantId);
      const group = await cloud.loadBalancer.ensureTargetGroup({ name: names.targetGroup, tags });
      const rule = await cloud.loadBalancer.ensureListenerRule({
        tenantId,
        host: cloud.loadBalancer.hostFor(tenantId),
        targetGroupArn: group.arn,
        tags,
        ...(signIn ? { signIn } : {}),
      });
      return { targetGroupArn: group.arn, listenerRuleArn: rule.arn, priority: rule.priority, endpoint: cloud.loadBalancer.endpointFor(tenantId) };
    },

    /**
     * One ALB verification (targets healthy, enough of them, two zones, /health
     * answering the digest). Not yet is normal while targets warm up; still not
     * after maxAttempts fails with what is wrong.
     */
    async verify(raw: unknown) {
      const { tenantId, targetGroupArn, desiredCount, expectedDigest, attempts, maxAttempts } = parseStepInput(verifyInput, raw);
      const result = await verifyTenant(cloud.loadBalancer, { tenantId, targetGroupArn, desiredCount, expectedDigest }, deps.now);
      const next = { ok: result.ok, health: result.health, attempts: attempts + 1 };
      if (result.ok) return next;
      if (next.attempts >= maxAttempts) {
        throw new VerificationFailedError(`tenant "${tenantId}" failed ALB verification after ${next.attempts} checks: ${result.problems.join('; ')}`);
      }
      return { ...next, problems: result.problems };
    },

    /**
     * The rule first (it references the target group and the app client), then the target group,
     * then the tenant's app client of the user pool. The state's group stays: its members are the
     * state's staff list, kept like its data (purgeData removes it).
     */
    async removeRouting(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      await cloud.loadBalancer.deleteListenerRule(tenantId);
      await cloud.loadBalancer.deleteTargetGroup(names.targetGroup);
      await cloud.staffPool?.deleteTenantClient(tenantId);
      return { removed: { listenerRule: tenantId, targetGroup: names.targetGroup, ...(cloud.staffPool ? { userPoolClient: tenantId } : {}) } };
    },
  };
}
