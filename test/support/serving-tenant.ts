import type { Cloud } from '../../src/cloud/ports.ts';
import { tenantResourceNames } from '../../src/tenants/names.ts';
import type { TenantRepository } from '../../src/tenants/repository.ts';

/**
 * One ACTIVE tenant serving `imageDigest`, as onboarding leaves it: task
 * definition, target group and rule, service, and the tenant's record. The
 * service's first deployment may still be running; callers wait as they need.
 * Shared by the image-deploy tests and bench:rollout.
 */
export async function seedServingTenant(
  cloud: Cloud,
  tenants: TenantRepository,
  id: string,
  imageDigest: string,
  options: { canary?: boolean } = {},
): Promise<string> {
  const { compute, loadBalancer: lb, platform } = cloud;
  const names = tenantResourceNames(platform.stage, id, platform.accountId);
  const image = `${platform.imageRepository}@${imageDigest}`;
  const td = await compute.registerTaskDefinition({
    family: names.taskFamily,
    image,
    cpu: 256,
    memory: 512,
    environment: { TENANT_ID: id, US_STATE: id, APP_IMAGE: image },
    taskRoleArn: `arn:aws:iam::${platform.accountId}:role/${names.taskRole}`,
    logGroup: names.logGroup,
    tags: {},
  });
  const tg = await lb.ensureTargetGroup({ name: names.targetGroup, tags: {} });
  await lb.ensureListenerRule({ tenantId: id, host: lb.hostFor(id), targetGroupArn: tg.arn, tags: {} });
  const service = await compute.ensureService({ name: names.service, taskDefinitionArn: td.arn, desiredCount: 2, targetGroupArn: tg.arn, tags: {} });
  await tenants.create({ tenantId: id, ...(options.canary ? { canary: true } : {}) });
  await tenants.writeObserved(id, undefined, {
    status: 'ACTIVE',
    image: { repository: platform.imageRepository, tag: 'v1.0.0', digest: imageDigest },
    resources: { taskDefinitionArn: td.arn, targetGroupArn: tg.arn, serviceArn: service.serviceArn },
  });
  return names.service;
}
