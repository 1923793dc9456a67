/**
 * Records as the API shows them. Built field by field, never by spreading a
 * record, so storage details (`lock`, `version`, pointer items) cannot leak
 * out and a new column is not published by accident. Every key is always
 * present: what is not known yet is `null`, and user-written fields show the
 * defaults the control plane acts on.
 */
import { HISTORY_LIMIT, tenantSpec, type HistoryEntry, type ImageRef, type TenantRecord } from '../tenants/schema.ts';
import type { Deployment, TenantResult } from '../deployments/schema.ts';

function imageView(image: ImageRef | undefined) {
  return image ? { repository: image.repository, tag: image.tag, digest: image.digest } : null;
}

function historyView(entry: HistoryEntry) {
  return { at: entry.at, from: entry.from ?? null, to: entry.to, reason: entry.reason ?? null, executionId: entry.executionId ?? null };
}

/** One line of GET /tenants. */
export function tenantSummary(record: TenantRecord) {
  const spec = tenantSpec(record);
  return {
    tenantId: spec.tenantId,
    displayName: spec.displayName,
    desiredState: spec.desiredState,
    desiredCount: spec.desiredCount,
    canary: spec.canary,
    /** null until the control plane has picked the record up. */
    status: record.status ?? null,
    statusReason: record.statusReason ?? null,
    endpoint: record.endpoint ?? null,
    image: imageView(record.image),
    health: record.health ? { healthy: record.health.healthy, total: record.health.total } : null,
    updatedAt: record.updatedAt ?? null,
  };
}

/** GET /tenants/{id}, and the body of POST and DELETE answers. */
export function tenantDetail(record: TenantRecord) {
  const spec = tenantSpec(record);
  const health = record.health;
  const resources = record.resources ?? {};
  return {
    ...tenantSummary(record),
    purgeData: spec.purgeData,
    health: health ? { healthy: health.healthy, total: health.total, zones: [...health.zones], checkedAt: health.checkedAt ?? null } : null,
    resources: {
      tableName: resources.tableName ?? null,
      tableArn: resources.tableArn ?? null,
      bucketName: resources.bucketName ?? null,
      bucketArn: resources.bucketArn ?? null,
      taskRoleArn: resources.taskRoleArn ?? null,
      taskDefinitionArn: resources.taskDefinitionArn ?? null,
      targetGroupArn: resources.targetGroupArn ?? null,
      listenerRuleArn: resources.listenerRuleArn ?? null,
      serviceArn: resources.serviceArn ?? null,
      logGroup: resources.logGroup ?? null,
    },
    createdAt: record.createdAt ?? null,
    /** Oldest first, as stored; the repository keeps the last HISTORY_LIMIT, this guards older records. */
    history: (record.history ?? []).slice(-HISTORY_LIMIT).map(historyView),
  };
}

/** One line of GET /deployments. */
export function deploymentSummary(deployment: Deployment) {
  return {
    deploymentId: deployment.deploymentId,
    status: deployment.status,
    reason: deployment.reason ?? null,
    image: imageView(deployment.image),
    canaryTenantId: deployment.canaryTenantId ?? null,
    startedAt: deployment.startedAt,
    endedAt: deployment.endedAt ?? null,
    counts: { ...deployment.counts },
  };
}

function resultView(result: TenantResult) {
  return {
    tenantId: result.tenantId,
    outcome: result.outcome,
    previousTaskDefinitionArn: result.previousTaskDefinitionArn ?? null,
    newTaskDefinitionArn: result.newTaskDefinitionArn ?? null,
    error: result.error ?? null,
    reason: result.reason ?? null,
    startedAt: result.startedAt ?? null,
    endedAt: result.endedAt ?? null,
  };
}

/** GET /deployments/{id}: the rollout's progress, tenant by tenant, the canary first. */
export function deploymentDetail(deployment: Deployment) {
  const canary = deployment.canaryTenantId;
  const tenants = Object.values(deployment.results ?? {}).sort(
    (a, b) => Number(b.tenantId === canary) - Number(a.tenantId === canary) || a.tenantId.localeCompare(b.tenantId),
  );
  return {
    ...deploymentSummary(deployment),
    eventTime: deployment.eventTime,
    executionId: deployment.executionId,
    maxConcurrency: deployment.maxConcurrency,
    failureThreshold: deployment.failureThreshold,
    supersededBy: deployment.supersededBy ?? null,
    stop: deployment.stop ? { kind: deployment.stop.kind, reason: deployment.stop.reason, at: deployment.stop.at } : null,
    waves: (deployment.waves ?? []).map((wave) => [...wave]),
    tenants: tenants.map(resultView),
  };
}
