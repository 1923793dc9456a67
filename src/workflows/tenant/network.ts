/**
 * Steps on the load balancer: the tenant's target group and host rule, and
 * the ALB verification that decides a tenant is really serving.
 *
 * Onboarding: ensureRouting → verify (looped by the state machine, bounded).
 * Offboarding and compensation: removeRouting.
 */
import * as z from 'zod';
import type { ListenerSignIn } from '../../cloud/ports.ts';
import { verifyTenant } from '../../tenants/verification.ts';
import type { StepDeps } from '../deps.ts';
import { parseStepInput } from '../kit/input.ts';
import { stepInputSchema, tenantNames, tenantTags } from './context.ts';
import { VerificationFailedError } from './errors.ts';

const verifyInput = stepInputSchema.extend({
  targetGroupArn: z.string(),
  desiredCount: z.number().int().min(1),
  expectedDigest: z.string(),
  attempts: z.number().int().min(0),
  maxAttempts: z.number().int().min(1),
});

/** The sign-in of the tenant's rule: none where the platform signs nobody in; its own IdP where its record names one; else the user pool. */
async function listenerSignIn(deps: StepDeps, tenantId: string): Promise<ListenerSignIn | undefined> {
  const platform = deps.cloud.platform.signIn;
  if (!platform) return undefined;
  if (!platform.tenantIdentityProviders) return { kind: 'user-pool' };
  const { identityProvider } = await deps.tenants.require(tenantId);
  return identityProvider ? { kind: 'oidc', ...identityProvider } : { kind: 'user-pool' };
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

    /** The rule first (it references the target group), then the target group. */
    async removeRouting(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      await cloud.loadBalancer.deleteListenerRule(tenantId);
      await cloud.loadBalancer.deleteTargetGroup(names.targetGroup);
      return { removed: { listenerRule: tenantId, targetGroup: names.targetGroup } };
    },
  };
}
