import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { reconcile, type ReconcileDeps, type ReconcileOutcome } from '../src/reconcile/reconciler.ts';
import { lazyHandler, logger } from './lib/step-handler.ts';
import { awsReconcileDeps } from './lib/aws-deps.ts';

/** How many tenants each kind of decision applied to, for the pass's one log line and its result. */
function summary(outcomes: ReconcileOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { decision } of outcomes) counts[decision] = (counts[decision] ?? 0) + 1;
  return counts;
}

/**
 * The reconciler on its schedule (serverless.yml, every 5 minutes): one pass over the
 * failure queue and every tenant. The scheduled event carries nothing it needs; a pass
 * that throws is simply the next pass's work (EventBridge does not retry it).
 */
export function makeReconcileHandler(deps: ReconcileDeps) {
  return middy(async (): Promise<{ tenants: number; decisions: Record<string, number> }> => {
    const outcomes = await reconcile(deps);
    const decisions = summary(outcomes);
    logger.info('reconcile pass done', { tenants: outcomes.length, decisions });
    return { tenants: outcomes.length, decisions };
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}

export const handler = lazyHandler(() => makeReconcileHandler(awsReconcileDeps()));
