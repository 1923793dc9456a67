import { reconcile, type ReconcileDeps, type ReconcileOutcome } from './reconciler.ts';

/**
 * Runs the reconciler every `intervalMs` (the local stand-in for its
 * EventBridge schedule), one pass at a time: a pass still running when the
 * next is due is not doubled. `stop()` waits for the pass in flight.
 */
export function startReconcileTimer(
  deps: ReconcileDeps,
  intervalMs: number,
): { runNow(options?: { skip?: ReadonlySet<string> }): Promise<ReconcileOutcome[]>; stop(): Promise<void> } {
  let inFlight: Promise<ReconcileOutcome[]> | undefined;
  let stopped = false;
  const runNow = async (options: { skip?: ReadonlySet<string> } = {}) => {
    if (!inFlight) {
      inFlight = reconcile(deps, options).finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  };
  const timer = setInterval(() => {
    if (!stopped) runNow().catch((error: unknown) => deps.log('reconcile pass failed', { error: error instanceof Error ? error.message : String(error) }));
  }, intervalMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight?.catch(() => undefined);
    },
  };
}
