import { isDeepStrictEqual } from 'node:util';
import type { WorkflowName } from '../cloud/ports.ts';
import { controlPlaneFields, CONVERGE_FIELDS, parseUserFields } from './schema.ts';
import { InvalidTenantError } from './errors.ts';
import { executionName } from '../kernel/execution-name.ts';

/** One change of one tenants-table item, as a stream delivers it (images already unmarshalled). */
export interface TenantItemChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** Increases per shard; unique per change, the same when the change is delivered again. */
  sequenceNumber: string;
  key: string;
  oldImage?: Record<string, unknown>;
  newImage?: Record<string, unknown>;
}

export type TenantReaction =
  | { kind: 'ignore'; why: string }
  | { kind: 'invalid'; key: string; reason: string }
  | { kind: 'start'; workflow: WorkflowName; executionName: string; input: Record<string, unknown> };

function userFields(image: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!image) return {};
  return Object.fromEntries(CONVERGE_FIELDS.filter((f) => image[f] !== undefined).map((f) => [f, image[f]]));
}

/**
 * A Step Functions execution name (made valid by executionName). The
 * sequence number makes the name unique per change and identical when the same
 * change is delivered twice, so StartExecution runs it at most once.
 */
export function executionNameFor(tenantKey: string, workflow: WorkflowName, sequenceNumber: string): string {
  const short = workflow === 'tenant-onboard' ? 'onboard' : workflow === 'tenant-offboard' ? 'offboard' : 'deploy';
  return executionName(`${tenantKey.slice(0, 20)}-${short}-${sequenceNumber}`);
}

/**
 * Decides what a change of the tenants table means. Only changes of the fields
 * a user writes count: the control plane's own writes (status, health, lock...)
 * are ignored, so they never start another workflow.
 */
export function reactionTo(change: TenantItemChange): TenantReaction {
  const before = userFields(change.oldImage);
  const after = userFields(change.newImage);
  if (change.eventName !== 'REMOVE' && isDeepStrictEqual(before, after)) {
    return { kind: 'ignore', why: 'only control-plane fields changed' };
  }

  if (change.eventName === 'REMOVE') {
    if (!change.oldImage) return { kind: 'ignore', why: 'removed item carried no image' };
    return {
      kind: 'start',
      workflow: 'tenant-offboard',
      executionName: executionNameFor(change.key, 'tenant-offboard', change.sequenceNumber),
      input: { tenantId: change.key, recordDeleted: true, purgeData: change.oldImage.purgeData === true },
    };
  }

  let desiredState: string | undefined;
  try {
    desiredState = parseUserFields(change.newImage).desiredState;
  } catch (error) {
    if (error instanceof InvalidTenantError) return { kind: 'invalid', key: change.key, reason: error.message };
    throw error;
  }
  const workflow: WorkflowName = desiredState === 'DELETED' ? 'tenant-offboard' : 'tenant-onboard';
  return {
    kind: 'start',
    workflow,
    executionName: executionNameFor(change.key, workflow, change.sequenceNumber),
    input: { tenantId: change.key },
  };
}

/**
 * The control-plane fields a user's PutItem over an existing tenant dropped (the item as
 * it was before, those fields only), or undefined when the change is no such write.
 * Writing a record whose tenantId exists is an update of its user fields: these go back.
 * `status` tells the two apart: once the control plane has written it, it never removes it
 * (its own removals are of a lease, a backoff, or what a deleted tenant no longer has), so
 * only a whole-item replacement makes it disappear.
 */
export function droppedControlPlaneFields(change: TenantItemChange): Record<string, unknown> | undefined {
  const { oldImage, newImage } = change;
  if (change.eventName !== 'MODIFY' || !oldImage || !newImage) return undefined;
  if (oldImage.status === undefined || newImage.status !== undefined) return undefined;
  const dropped = Object.fromEntries(
    controlPlaneFields()
      .filter((f) => oldImage[f] !== undefined && newImage[f] === undefined)
      .map((f) => [f, oldImage[f]]),
  );
  return Object.keys(dropped).length > 0 ? dropped : undefined;
}
