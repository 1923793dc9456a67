import type { LoadBalancerPort, TargetHealth } from '../cloud/ports.ts';
import type { TenantHealth } from './schema.ts';

export interface VerificationRequest {
  tenantId: string;
  targetGroupArn: string;
  desiredCount: number;
  /** The digest `/health` must report (the app echoes APP_IMAGE, which pins the digest). */
  expectedDigest: string;
}

export interface VerificationResult {
  ok: boolean;
  health: TenantHealth;
  /** What is wrong, phrased for the person reading the tenant's statusReason. Empty when ok. */
  problems: string[];
}

/**
 * ALB verification, the rule a tenant must meet to be ACTIVE: every target of the tenant's target
 * group healthy, at least `desiredCount` of them, spread over two or more zones
 * when two or more are wanted, and `GET /health` through the load balancer
 * answering the expected image digest.
 */
export async function verifyTenant(lb: LoadBalancerPort, request: VerificationRequest, now: () => Date = () => new Date()): Promise<VerificationResult> {
  const targets = (await lb.describeTargetHealth(request.targetGroupArn)).filter((t) => t.state !== 'draining');
  const healthy = targets.filter((t) => t.state === 'healthy');
  const zones = [...new Set(healthy.map((t) => t.zone))].sort();
  const problems: string[] = [];

  const unhealthy = targets.filter((t) => t.state !== 'healthy');
  if (unhealthy.length > 0) problems.push(`${unhealthy.length} of ${targets.length} targets not healthy (${describeTargets(unhealthy)})`);
  if (healthy.length < request.desiredCount) problems.push(`${healthy.length} healthy targets, ${request.desiredCount} wanted`);
  if (request.desiredCount >= 2 && zones.length < 2) {
    problems.push(`healthy targets span ${zones.length} availability zone(s) (${zones.join(', ') || 'none'}); at least 2 are required`);
  }

  if (problems.length === 0) {
    const probe = await lb.probeHealth(request.tenantId);
    const image = typeof probe.body === 'object' && probe.body !== null ? (probe.body as { image?: unknown }).image : undefined;
    if (probe.status !== 200) {
      problems.push(`GET /health through the load balancer answered ${probe.status}`);
    } else if (typeof image !== 'string' || !image.includes(request.expectedDigest)) {
      problems.push(`GET /health through the load balancer reports image ${String(image)}, expected ${request.expectedDigest}`);
    }
  }

  return {
    ok: problems.length === 0,
    health: { healthy: healthy.length, total: targets.length, zones, checkedAt: now().toISOString() },
    problems,
  };
}

function describeTargets(targets: TargetHealth[]): string {
  return targets.map((t) => `${t.id} in ${t.zone} is ${t.state}${t.reason ? `: ${t.reason}` : ''}`).join('; ');
}
