import type { WorkflowPort } from '../cloud/ports.ts';
import { droppedControlPlaneFields, reactionTo, type TenantItemChange } from './changes.ts';
import { CORRELATION_ID } from '../kernel/execution-name.ts';

export interface ChangeLog {
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
}

export interface StreamDeps {
  workflows: WorkflowPort;
  /** Marks a record FAILED with `reason` without parsing it (its id may be the problem). */
  markInvalid(key: string, reason: string): Promise<void>;
  /** Writes back control-plane fields a replacement of the item dropped, each only where it is still absent. */
  restoreControlPlaneFields(key: string, fields: Record<string, unknown>): Promise<void>;
  log: ChangeLog;
}

/**
 * Reacts to a batch of tenants-table changes, in order. Returns the sequence
 * number of the first change that could not be handled: the event source
 * retries from there (so per-key order holds), and everything before it is
 * done. A redelivered change starts nothing new: execution names are
 * deterministic and StartExecution with a known name is a no-op.
 *
 * A record that cannot be valid is logged with its key and marked FAILED; it
 * is not a failure of the batch, so it never blocks the shard.
 *
 * A PutItem over an existing tenant (the onboarding command run twice) is an
 * update of its user fields: the control-plane fields it dropped are written
 * back first, so the tenant keeps its status, endpoint, image, resources and
 * history, and only then is a change of its user fields acted on.
 */
export async function processTenantChanges(changes: readonly TenantItemChange[], deps: StreamDeps): Promise<{ failedSequenceNumber?: string }> {
  for (const change of changes) {
    const reaction = reactionTo(change);
    try {
      const dropped = droppedControlPlaneFields(change);
      if (dropped) {
        await deps.restoreControlPlaneFields(change.key, dropped);
        deps.log.info('tenant record replaced; its control-plane fields restored', { tenantId: change.key, fields: Object.keys(dropped) });
      }
      switch (reaction.kind) {
        case 'ignore':
          break;
        case 'invalid':
          deps.log.warn('invalid tenant record', { tenantKey: reaction.key, reason: reaction.reason, sequenceNumber: change.sequenceNumber });
          if (change.newImage) await deps.markInvalid(reaction.key, reaction.reason);
          break;
        case 'start': {
          const { executionArn, started } = await deps.workflows.startExecution({
            workflow: reaction.workflow,
            name: reaction.executionName,
            input: reaction.input,
          });
          deps.log.info(started ? 'workflow started' : 'workflow already started for this change', {
            tenantId: change.key,
            workflow: reaction.workflow,
            executionArn,
            [CORRELATION_ID]: reaction.executionName,
          });
          break;
        }
      }
    } catch (error) {
      deps.log.warn('change not handled; the stream will deliver it again', {
        tenantKey: change.key,
        sequenceNumber: change.sequenceNumber,
        error: error instanceof Error ? error.message : String(error),
        ...(reaction.kind === 'start' ? { [CORRELATION_ID]: reaction.executionName } : {}),
      });
      return { failedSequenceNumber: change.sequenceNumber };
    }
  }
  return {};
}
